/* refblame/ref.h: the traced reference counter a program embeds in its objects (public C API). */
#ifndef REFBLAME_REF_H
#define REFBLAME_REF_H

#include <refblame/config.h>

#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A counter embedded in the user's object. The object's identity in the
 * trace is the address of this counter. Plain int accessed only through
 * __atomic builtins, so the same layout works from C11 and C++.
 */
typedef struct refblame_ref {
	int counter;
} refblame_ref_t;

#define REFBLAME_REF_INIT(v) { (v) }

/* Every operation is inlined into the caller, at -O0 too. */
#define REFBLAME_INLINE static inline __attribute__((always_inline, unused))

#if REFBLAME_TRACING
#include <lttng/tracepoint-types.h>

/*
 * One tracepoint per kind of operation, defined in librefblame. The inline
 * fast path tests the tracepoint's own enabled flag, exactly what
 * lttng_ust_tracepoint_enabled() reads, then calls the out-of-line slow path.
 */
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___ref_set;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___ref_mod;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___ref_mod_and_test;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___ref_mod_and_return;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___ref_mod_unless;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___ref_freeze;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___ref_unfreeze;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___obj_init;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___obj_free;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___ref_move;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___ref_get;
extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___ref_put;

#define REFBLAME__ON(ev) \
	__builtin_expect(__atomic_load_n(&lttng_ust_tracepoint_refblame___##ev.state, __ATOMIC_RELAXED), 0)

/*
 * Keeps the call into the slow path from becoming a tail call: the slow path
 * records __builtin_return_address(0), which must be inside the user's
 * function, not in its caller.
 */
#define REFBLAME__NO_TAIL_CALL() __asm__ __volatile__("" ::: "memory")

/* Out-of-line traced slow paths (lib/src/trace.c). Each records its caller. */
void refblame__trace_set(const refblame_ref_t *r, int v);
void refblame__trace_mod(const refblame_ref_t *r, int delta, int count);
void refblame__trace_mod_and_test(const refblame_ref_t *r, int delta, int count, int ret);
void refblame__trace_get(const refblame_ref_t *r, int count, const void *holder);
void refblame__trace_put(const refblame_ref_t *r, int count, int ret, const void *holder);
void refblame__trace_mod_and_return(const refblame_ref_t *r, int delta, int count);
void refblame__trace_mod_unless(const refblame_ref_t *r, int nr, int count, int ret);
void refblame__trace_freeze(const refblame_ref_t *r, int expected, int count, int ret);
void refblame__trace_unfreeze(const refblame_ref_t *r, int count);
void refblame__trace_obj_init(const refblame_ref_t *r, const char *kind, int count);
void refblame__trace_obj_free(const refblame_ref_t *r, int count);
void refblame__trace_move(const refblame_ref_t *r, int count, const void *from, const void *to);

#define REFBLAME__TRACE(ev, call)                  \
	do {                                       \
		if (REFBLAME__ON(ev)) {            \
			refblame__trace_##call;    \
			REFBLAME__NO_TAIL_CALL();  \
		}                                  \
	} while (0)
#else
#define REFBLAME__TRACE(ev, call) do { } while (0)
#endif /* REFBLAME_TRACING */

/* Lifecycle: a new object whose counter starts at `count`. */
REFBLAME_INLINE void refblame_obj_init(refblame_ref_t *r, const char *kind, int count)
{
	(void)kind;
	__atomic_store_n(&r->counter, count, __ATOMIC_RELAXED);
	REFBLAME__TRACE(obj_init, obj_init(r, kind, count));
}

/* Lifecycle: the object is gone; any reference still counted is reported. */
REFBLAME_INLINE void refblame_obj_free(refblame_ref_t *r)
{
	int c = __atomic_load_n(&r->counter, __ATOMIC_RELAXED);
	(void)c;
	REFBLAME__TRACE(obj_free, obj_free(r, c));
}

/* Read the count; not traced. */
REFBLAME_INLINE int refblame_ref_count(const refblame_ref_t *r)
{
	return __atomic_load_n(&r->counter, __ATOMIC_RELAXED);
}

REFBLAME_INLINE void refblame_ref_set(refblame_ref_t *r, int v)
{
	__atomic_store_n(&r->counter, v, __ATOMIC_RELAXED);
	REFBLAME__TRACE(ref_set, set(r, v));
}

REFBLAME_INLINE void refblame_ref_add(refblame_ref_t *r, int nr)
{
	int c = __atomic_add_fetch(&r->counter, nr, __ATOMIC_RELAXED);
	(void)c;
	REFBLAME__TRACE(ref_mod, mod(r, nr, c));
}

REFBLAME_INLINE void refblame_ref_sub(refblame_ref_t *r, int nr)
{
	int c = __atomic_sub_fetch(&r->counter, nr, __ATOMIC_RELAXED);
	(void)c;
	REFBLAME__TRACE(ref_mod, mod(r, -nr, c));
}

REFBLAME_INLINE void refblame_ref_inc(refblame_ref_t *r)
{
	int c = __atomic_add_fetch(&r->counter, 1, __ATOMIC_RELAXED);
	(void)c;
	REFBLAME__TRACE(ref_mod, mod(r, 1, c));
}

REFBLAME_INLINE void refblame_ref_dec(refblame_ref_t *r)
{
	int c = __atomic_sub_fetch(&r->counter, 1, __ATOMIC_RELAXED);
	(void)c;
	REFBLAME__TRACE(ref_mod, mod(r, -1, c));
}

/* Subtract nr; true when the count reached zero (release, then acquire on zero). */
REFBLAME_INLINE bool refblame_ref_sub_and_test(refblame_ref_t *r, int nr)
{
	int c = __atomic_sub_fetch(&r->counter, nr, __ATOMIC_RELEASE);
	REFBLAME__TRACE(ref_mod_and_test, mod_and_test(r, -nr, c, c == 0));
	if (c == 0) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return true;
	}
	return false;
}

REFBLAME_INLINE bool refblame_ref_dec_and_test(refblame_ref_t *r)
{
	int c = __atomic_sub_fetch(&r->counter, 1, __ATOMIC_RELEASE);
	REFBLAME__TRACE(ref_mod_and_test, mod_and_test(r, -1, c, c == 0));
	if (c == 0) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return true;
	}
	return false;
}

REFBLAME_INLINE int refblame_ref_inc_return(refblame_ref_t *r)
{
	int c = __atomic_add_fetch(&r->counter, 1, __ATOMIC_SEQ_CST);
	REFBLAME__TRACE(ref_mod_and_return, mod_and_return(r, 1, c));
	return c;
}

REFBLAME_INLINE int refblame_ref_dec_return(refblame_ref_t *r)
{
	int c = __atomic_sub_fetch(&r->counter, 1, __ATOMIC_SEQ_CST);
	REFBLAME__TRACE(ref_mod_and_return, mod_and_return(r, -1, c));
	return c;
}

/* Add nr unless the count is u; true when it added. */
REFBLAME_INLINE bool refblame_ref_add_unless(refblame_ref_t *r, int nr, int u)
{
	int c = __atomic_load_n(&r->counter, __ATOMIC_RELAXED);
	bool added = false;
	while (c != u) {
		if (__atomic_compare_exchange_n(&r->counter, &c, c + nr, true, __ATOMIC_SEQ_CST,
						__ATOMIC_RELAXED)) {
			c += nr;
			added = true;
			break;
		}
	}
	REFBLAME__TRACE(ref_mod_unless, mod_unless(r, nr, c, added));
	return added;
}

REFBLAME_INLINE bool refblame_ref_get_unless_zero(refblame_ref_t *r)
{
	return refblame_ref_add_unless(r, 1, 0);
}

/*
 * count == expected -> 0 and true (nobody else holds a reference);
 * otherwise false, and the trace records the count actually seen.
 */
REFBLAME_INLINE bool refblame_ref_freeze(refblame_ref_t *r, int expected)
{
	int seen = expected;
	bool ok = __atomic_compare_exchange_n(&r->counter, &seen, 0, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED);
	REFBLAME__TRACE(ref_freeze, freeze(r, expected, ok ? 0 : seen, ok));
	return ok;
}

REFBLAME_INLINE void refblame_ref_unfreeze(refblame_ref_t *r, int count)
{
	__atomic_store_n(&r->counter, count, __ATOMIC_RELEASE);
	REFBLAME__TRACE(ref_unfreeze, unfreeze(r, count));
}

/* Tracked get: the reference is held by `holder` until the matching put. */
REFBLAME_INLINE void refblame_ref_get(refblame_ref_t *r, const void *holder)
{
	int c = __atomic_add_fetch(&r->counter, 1, __ATOMIC_RELAXED);
	(void)c;
	(void)holder;
	REFBLAME__TRACE(ref_get, get(r, c, holder));
}

/* Tracked put by `holder`; true when the count reached zero. */
REFBLAME_INLINE bool refblame_ref_put(refblame_ref_t *r, const void *holder)
{
	int c = __atomic_sub_fetch(&r->counter, 1, __ATOMIC_RELEASE);
	(void)holder;
	REFBLAME__TRACE(ref_put, put(r, c, c == 0, holder));
	if (c == 0) {
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		return true;
	}
	return false;
}

/*
 * A reference changes holder without changing the count (a C++ move, or an
 * adopt when `from` is NULL). The trace keeps the site where it was acquired.
 */
REFBLAME_INLINE void refblame_ref_move(refblame_ref_t *r, const void *from, const void *to)
{
	(void)r;
	(void)from;
	(void)to;
	REFBLAME__TRACE(ref_move, move(r, __atomic_load_n(&r->counter, __ATOMIC_RELAXED), from, to));
}

#ifdef __cplusplus
}
#endif

#endif /* REFBLAME_REF_H */
