/* ref_c_test.c: the C API compiles as C11 and behaves the same as from C++ (exit status is the verdict). */
#include <refblame/page_ref.h>
#include <refblame/ref.h>

#include <stdio.h>

struct page {
	refblame_ref_t _refcount;
};

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                          \
			return 1;                                          \
		}                                                          \
	} while (0)

int main(void)
{
	struct page pg;
	init_page_count(&pg);
	CHECK(page_ref_count(&pg) == 1);
	page_ref_inc(&pg);
	CHECK(page_ref_inc_return(&pg) == 3);
	CHECK(!page_ref_freeze(&pg, 1));
	CHECK(page_ref_count(&pg) == 3);
	CHECK(page_ref_freeze(&pg, 3));
	CHECK(!get_page_unless_zero(&pg));
	page_ref_unfreeze(&pg, 1);
	refblame_ref_get(&pg._refcount, &pg);
	CHECK(!refblame_ref_put(&pg._refcount, &pg));
	CHECK(page_ref_dec_and_test(&pg));
	refblame_obj_free(&pg._refcount);
	puts("ok");
	return 0;
}
