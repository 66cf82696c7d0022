/* leaky_lib.c: a shared library function that leaks a reference. */
#include <refblame/ref.h>

void lib_take(refblame_ref_t *r)
{
	refblame_ref_inc(r); /* LEAK(lib_take) */
}
