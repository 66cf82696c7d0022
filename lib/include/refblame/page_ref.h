/* refblame/page_ref.h: the kernel's page_ref_* names over any struct with a `refblame_ref_t _refcount` member. */
#ifndef REFBLAME_PAGE_REF_H
#define REFBLAME_PAGE_REF_H

#include <refblame/ref.h>

/*
 * Macros rather than functions so that `p` may point to any struct type; each
 * expands to an always-inline refblame op, so the recorded caller is the
 * user's function and line.
 */
#define page_ref_count(p)            refblame_ref_count(&(p)->_refcount)
#define set_page_count(p, v)         refblame_ref_set(&(p)->_refcount, (v))
/* A fresh page starts with one reference; this is its lifecycle start. */
#define init_page_count(p)           refblame_obj_init(&(p)->_refcount, "page", 1)
#define page_ref_add(p, nr)          refblame_ref_add(&(p)->_refcount, (nr))
#define page_ref_sub(p, nr)          refblame_ref_sub(&(p)->_refcount, (nr))
#define page_ref_inc(p)              refblame_ref_inc(&(p)->_refcount)
#define page_ref_dec(p)              refblame_ref_dec(&(p)->_refcount)
#define page_ref_sub_and_test(p, nr) refblame_ref_sub_and_test(&(p)->_refcount, (nr))
#define page_ref_dec_and_test(p)     refblame_ref_dec_and_test(&(p)->_refcount)
#define page_ref_inc_return(p)       refblame_ref_inc_return(&(p)->_refcount)
#define page_ref_dec_return(p)       refblame_ref_dec_return(&(p)->_refcount)
#define page_ref_add_unless(p, nr, u) refblame_ref_add_unless(&(p)->_refcount, (nr), (u))
#define get_page_unless_zero(p)      refblame_ref_get_unless_zero(&(p)->_refcount)
#define page_ref_freeze(p, count)    refblame_ref_freeze(&(p)->_refcount, (count))
#define page_ref_unfreeze(p, count)  refblame_ref_unfreeze(&(p)->_refcount, (count))

#endif /* REFBLAME_PAGE_REF_H */
