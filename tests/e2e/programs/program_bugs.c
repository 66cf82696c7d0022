/* program_bugs.c: e2e target: one of each refcounting bug refblame reports as a finding, on lines marked BUG(kind). */
#include <refblame/ref.h>

#include <stdio.h>

static refblame_ref_t under, frozen, freed, twice;
static int holder;

/* A put without a get: the object's only reference is dropped twice. */
__attribute__((noinline)) static void drop_unowned(refblame_ref_t *r)
{
	refblame_ref_dec(r); /* releases the initial reference */
	refblame_ref_dec(r); /* BUG(underflow) */
}

/* A get on an object that a successful freeze just took to zero. */
__attribute__((noinline)) static void touch_frozen(refblame_ref_t *r)
{
	if (!refblame_ref_freeze(r, 1))
		return;
	refblame_ref_inc(r); /* BUG(get_on_frozen) */
	refblame_ref_unfreeze(r, 1);
}

/* An object freed while a tracked holder still has a reference. */
__attribute__((noinline)) static void free_in_use(refblame_ref_t *r)
{
	refblame_ref_get(r, &holder); /* SITE(in_use_get) */
	refblame_obj_free(r);         /* BUG(freed_with_refs) */
}

/* Freed once properly, then again. */
__attribute__((noinline)) static void free_twice(refblame_ref_t *r)
{
	if (refblame_ref_dec_and_test(r))
		refblame_obj_free(r);
	refblame_obj_free(r); /* BUG(double_free) */
}

int main(void)
{
	refblame_obj_init(&under, "buffer", 1);
	refblame_obj_init(&frozen, "page", 1);
	refblame_obj_init(&freed, "session", 1);
	refblame_obj_init(&twice, "request", 1);
	drop_unowned(&under);
	touch_frozen(&frozen);
	free_in_use(&freed);
	free_twice(&twice);
	printf("objects under=%p frozen=%p freed=%p twice=%p holder=%p\n", (void *)&under, (void *)&frozen,
	       (void *)&freed, (void *)&twice, (void *)&holder);
	return 0;
}
