/*
 * c_sites.c: C call sites of refblame ops for the symbolizer tests. Each
 * acquisition's line carries `// SITE: function`, the function and line the
 * symbolizer must report; the tests read these markers from this file.
 * argv[1], when given, is a library to dlopen() and call.
 */
#include "page.h"
#include "probe.h"

#include <dlfcn.h>
#include <stdio.h>

/* A plain function. */
void map_page(struct page *p)
{
	page_ref_inc(p); // SITE: map_page
}

/* Static, called only with nr == 3: GCC clones it at -O2 (pin_many.constprop.0). */
static __attribute__((noinline)) void pin_many(struct page *p, int nr)
{
	page_ref_add(p, nr); // SITE: pin_many
}

struct request {
	struct page *page;
	long unused[8];
};

/* Static, reads one field of a struct it gets by pointer: GCC's IPA-SRA clones it at -O2 (.isra.0). */
static __attribute__((noinline)) void pin_request(const struct request *rq)
{
	page_ref_inc(rq->page); // SITE: pin_request
}

/* The user's own inline helper: the innermost user frame is the site, at -O0 and -O2. */
static inline int grab(struct page *p)
{
	return get_page_unless_zero(p); // SITE: grab
}

int map_twice(struct page *p)
{
	int n = grab(p);
	n += page_ref_inc_return(p); // SITE: map_twice
	return n;
}

int main(int argc, char **argv)
{
	struct page pg;
	struct request rq = { &pg, { 0 } };
	init_page_count(&pg);
	map_page(&pg);
	pin_many(&pg, 3);
	pin_many(&pg, 3);
	pin_request(&rq);
	map_twice(&pg);
	lib_pin(&pg);
	if (argc > 1) {
		void *h = dlopen(argv[1], RTLD_NOW);
		if (!h) {
			fprintf(stderr, "dlopen %s: %s\n", argv[1], dlerror());
			return 1;
		}
		void (*plugin_pin)(struct page *) = (void (*)(struct page *))dlsym(h, "plugin_pin");
		if (!plugin_pin)
			return 1;
		plugin_pin(&pg);
	}
	symprobe_dump_modules();
	return 0;
}
