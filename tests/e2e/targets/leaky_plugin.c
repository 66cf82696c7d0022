/* leaky_plugin.c: a dlopen'd plugin function that leaks a reference. */
#include <refblame/ref.h>

void plugin_take(refblame_ref_t *r)
{
	refblame_ref_inc(r); /* LEAK(plugin_take) */
}
