/* c_plugin.c: a library the C test target dlopen()s, with a refblame call site. */
#include "page.h"

void plugin_pin(struct page *p);

void plugin_pin(struct page *p)
{
	page_ref_inc(p); // SITE: plugin_pin
}
