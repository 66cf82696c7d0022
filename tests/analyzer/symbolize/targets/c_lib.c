/* c_lib.c: a shared library with a refblame call site, linked by the C test target. */
#include "page.h"

void lib_pin(struct page *p)
{
	page_ref_inc(p); // SITE: lib_pin
}
