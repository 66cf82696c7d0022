/* traced_ops.c: performs every op once under a real session and prints what the trace must show (event, obj, count, val, ret, holder, function, line). */
#define _GNU_SOURCE
#include <refblame/page_ref.h>
#include <refblame/ref.h>

#include <link.h>
#include <stdint.h>
#include <stdio.h>

struct page {
	refblame_ref_t _refcount;
};

/* ret < 0: the event has no ret field. */
static void expect(const char *event, const refblame_ref_t *obj, int count, int val, int ret,
		   const void *holder, const char *func, int line)
{
	printf("EXPECT %s obj=0x%lx count=%d val=%d ret=%d holder=0x%lx func=%s line=%d\n", event,
	       (unsigned long)(uintptr_t)obj, count, val, ret, (unsigned long)(uintptr_t)holder, func,
	       line);
}

#define E(event, r, count, val, ret, holder) expect(event, r, count, val, ret, holder, __func__, __LINE__)

/*
 * A one-line wrapper: at -O2 the op is its last statement. Unless the call
 * into the slow path stays a real call, the trace would name main, not hold.
 */
__attribute__((noinline)) void hold(struct page *p) { page_ref_inc(p); } enum { HOLD_LINE = __LINE__ };
__attribute__((noinline)) int drop(struct page *p) { return page_ref_dec_and_test(p); } enum { DROP_LINE = __LINE__ };

static int print_bias(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	(void)data;
	printf("BIAS 0x%lx\n", (unsigned long)info->dlpi_addr);
	return 1; /* the first entry is the executable */
}

int main(void)
{
	static struct page pg;
	refblame_ref_t *r = &pg._refcount;
	int holder_a, holder_b;
	dl_iterate_phdr(print_bias, NULL);

	init_page_count(&pg); E("obj_init", r, 1, 1, -1, 0);
	set_page_count(&pg, 2); E("ref_set", r, 2, 2, -1, 0);
	page_ref_add(&pg, 3); E("ref_mod", r, 5, 3, -1, 0);
	page_ref_sub(&pg, 2); E("ref_mod", r, 3, -2, -1, 0);
	page_ref_inc(&pg); E("ref_mod", r, 4, 1, -1, 0);
	page_ref_dec(&pg); E("ref_mod", r, 3, -1, -1, 0);
	page_ref_sub_and_test(&pg, 1); E("ref_mod_and_test", r, 2, -1, 0, 0);
	page_ref_inc_return(&pg); E("ref_mod_and_return", r, 3, 1, 3, 0);
	page_ref_dec_return(&pg); E("ref_mod_and_return", r, 2, -1, 2, 0);
	page_ref_add_unless(&pg, 2, 0); E("ref_mod_unless", r, 4, 2, 1, 0);
	page_ref_add_unless(&pg, 2, 4); E("ref_mod_unless", r, 4, 2, 0, 0);
	get_page_unless_zero(&pg); E("ref_mod_unless", r, 5, 1, 1, 0);
	page_ref_freeze(&pg, 1); E("ref_freeze", r, 5, 1, 0, 0);
	page_ref_freeze(&pg, 5); E("ref_freeze", r, 0, 5, 1, 0);
	get_page_unless_zero(&pg); E("ref_mod_unless", r, 0, 1, 0, 0);
	page_ref_unfreeze(&pg, 2); E("ref_unfreeze", r, 2, 2, -1, 0);
	refblame_ref_get(r, &holder_a); E("ref_get", r, 3, 1, -1, &holder_a);
	refblame_ref_move(r, &holder_a, &holder_b); E("ref_move", r, 3, 0, -1, &holder_b);
	refblame_ref_put(r, &holder_b); E("ref_put", r, 2, -1, 0, &holder_b);
	hold(&pg); expect("ref_mod", r, 3, 1, -1, 0, "hold", HOLD_LINE);
	drop(&pg); expect("ref_mod_and_test", r, 2, -1, 0, 0, "drop", DROP_LINE);
	page_ref_dec(&pg); E("ref_mod", r, 1, -1, -1, 0);
	page_ref_dec_and_test(&pg); E("ref_mod_and_test", r, 0, -1, 1, 0);
	refblame_obj_free(r); E("obj_free", r, 0, 0, -1, 0);
	return 0;
}
