/* probe.c: test stand-in for librefblame: tracing always on; each acquisition prints its caller address, like lib/src/trace.c records it. */
#define _GNU_SOURCE
#include "probe.h"

#include <refblame/ref.h>

#include <elf.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The tracepoint flags the inline ops test. Here they are always on, so every
 * op calls the slow path below without any session.
 */
#define ENABLED(ev)                                                              \
	struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___##ev = {     \
		sizeof(struct lttng_ust_tracepoint), "refblame", #ev, 1, NULL, NULL, "" \
	};
ENABLED(ref_set)
ENABLED(ref_mod)
ENABLED(ref_mod_and_test)
ENABLED(ref_mod_and_return)
ENABLED(ref_mod_unless)
ENABLED(ref_freeze)
ENABLED(ref_unfreeze)
ENABLED(obj_init)
ENABLED(obj_free)
ENABLED(ref_move)
ENABLED(ref_get)
ENABLED(ref_put)

/* Same shape as lib/src/trace.c: out of line, caller = our return address. */
#define SLOW __attribute__((noinline, visibility("default")))
#define CALLER __builtin_return_address(0)

/* Only acquisitions are printed: those are the sites the tests mark. */
static void acquired(const void *caller)
{
	printf("caller %p\n", caller);
	fflush(stdout);
}

SLOW void refblame__trace_set(const refblame_ref_t *r, int v) { (void)r; (void)v; }
SLOW void refblame__trace_mod(const refblame_ref_t *r, int delta, int count)
{
	(void)r; (void)count;
	if (delta > 0)
		acquired(CALLER);
}
SLOW void refblame__trace_mod_and_test(const refblame_ref_t *r, int delta, int count, int ret)
{
	(void)r; (void)delta; (void)count; (void)ret;
}
SLOW void refblame__trace_get(const refblame_ref_t *r, int count, const void *holder)
{
	(void)r; (void)count; (void)holder;
	acquired(CALLER);
}
SLOW void refblame__trace_put(const refblame_ref_t *r, int count, int ret, const void *holder)
{
	(void)r; (void)count; (void)ret; (void)holder;
}
SLOW void refblame__trace_mod_and_return(const refblame_ref_t *r, int delta, int count)
{
	(void)r; (void)count;
	if (delta > 0)
		acquired(CALLER);
}
SLOW void refblame__trace_mod_unless(const refblame_ref_t *r, int nr, int count, int ret)
{
	(void)r; (void)count;
	if (ret && nr > 0)
		acquired(CALLER);
}
SLOW void refblame__trace_freeze(const refblame_ref_t *r, int expected, int count, int ret)
{
	(void)r; (void)expected; (void)count; (void)ret;
}
SLOW void refblame__trace_unfreeze(const refblame_ref_t *r, int count) { (void)r; (void)count; }
SLOW void refblame__trace_obj_init(const refblame_ref_t *r, const char *kind, int count)
{
	(void)r; (void)kind; (void)count;
}
SLOW void refblame__trace_obj_free(const refblame_ref_t *r, int count) { (void)r; (void)count; }
SLOW void refblame__trace_move(const refblame_ref_t *r, int count, const void *from, const void *to)
{
	(void)r; (void)count; (void)from; (void)to;
}

/* The NT_GNU_BUILD_ID note of a loaded object, read from its mapped PT_NOTE segments. */
static void print_build_id(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		const char *end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
			const char *name = p + sizeof(*n);
			const unsigned char *desc = (const unsigned char *)name + ((n->n_namesz + 3) & ~3u);
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
				for (unsigned j = 0; j < n->n_descsz; j++)
					printf("%02x", desc[j]);
				return;
			}
			p = (const char *)desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	printf("-");
}

/* Same base address and size as lttng-ust's statedump (bin_info): first PT_LOAD. */
static int print_module(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	int *first = data;
	char path[PATH_MAX];
	if (!info->dlpi_name || !info->dlpi_name[0]) {
		if (!*first)
			return 0; /* vdso */
		ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
		if (n <= 0)
			return 0;
		path[n] = 0;
	} else if (!realpath(info->dlpi_name, path)) {
		return 0; /* vdso and other objects without a file */
	}
	*first = 0;
	ElfW(Addr) lo = 0, hi = 0;
	int seen = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		if (!seen || ph->p_vaddr < lo)
			lo = ph->p_vaddr;
		if (!seen || ph->p_vaddr + ph->p_memsz > hi)
			hi = ph->p_vaddr + ph->p_memsz;
		seen = 1;
	}
	if (!seen)
		return 0;
	const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)(info->dlpi_addr + lo);
	printf("module %lx %lx %d ", (unsigned long)(info->dlpi_addr + lo), (unsigned long)(hi - lo),
	       eh->e_type == ET_DYN);
	print_build_id(info);
	printf(" %s\n", path);
	return 0;
}

void symprobe_dump_modules(void)
{
	int first = 1;
	printf("pid %d\n", (int)getpid());
	dl_iterate_phdr(print_module, &first);
	fflush(stdout);
}
