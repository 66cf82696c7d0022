/* app.c: a program outside the project that links the installed librefblame and uses its ops. */
#include <refblame/page_ref.h>
#include <stdio.h>

struct page {
	refblame_ref_t _refcount;
};

int main(void)
{
	struct page p;
	init_page_count(&p);
	page_ref_inc(&p);
	if (page_ref_freeze(&p, 1)) {
		fputs("freeze succeeded with an extra reference held\n", stderr);
		return 1;
	}
	page_ref_dec(&p);
	if (!page_ref_dec_and_test(&p) || page_ref_count(&p) != 0) {
		fputs("the last put did not reach zero\n", stderr);
		return 1;
	}
	puts("consumer ok");
	return 0;
}
