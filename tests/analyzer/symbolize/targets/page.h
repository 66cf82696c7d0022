/* page.h: the kernel-style object the C test targets take references on. */
#ifndef SYMTEST_PAGE_H
#define SYMTEST_PAGE_H

#include <refblame/page_ref.h>

struct page {
	refblame_ref_t _refcount;
	int flags;
};

/* In the shared library (c_lib.c). */
void lib_pin(struct page *p);

#endif /* SYMTEST_PAGE_H */
