/* trace.c: the out-of-line traced slow paths; each records its caller, the user's call site. */
#include <refblame/ref.h>

#include "refblame_tp.h"
#include "stack_table.h"

/*
 * noinline keeps __builtin_return_address(0) pointing into the function that
 * inlined the refblame op (the header's REFBLAME__NO_TAIL_CALL keeps that
 * function from tail-calling us). The arguments are already the values the
 * atomic op produced. This file is built with frame pointers: the stack walk
 * (stack_walk.c) finds the caller's frame through ours.
 */
#define SLOW __attribute__((noinline, visibility("default")))
#define CALLER __builtin_return_address(0)
/* Id of the call stack above the caller when stacks are recorded (REFBLAME_STACK; 0: none). */
#define STACK REFBLAME_STACK_ID(CALLER)

SLOW void refblame__trace_set(const refblame_ref_t *r, int v)
{
	lttng_ust_tracepoint(refblame, ref_set, r, v, CALLER, STACK);
}

SLOW void refblame__trace_mod(const refblame_ref_t *r, int delta, int count)
{
	lttng_ust_tracepoint(refblame, ref_mod, r, delta, count, CALLER, STACK);
}

SLOW void refblame__trace_mod_and_test(const refblame_ref_t *r, int delta, int count, int ret)
{
	lttng_ust_tracepoint(refblame, ref_mod_and_test, r, delta, count, ret, CALLER, STACK);
}

SLOW void refblame__trace_get(const refblame_ref_t *r, int count, const void *holder)
{
	lttng_ust_tracepoint(refblame, ref_get, r, count, CALLER, holder, STACK);
}

SLOW void refblame__trace_put(const refblame_ref_t *r, int count, int ret, const void *holder)
{
	lttng_ust_tracepoint(refblame, ref_put, r, count, ret, CALLER, holder, STACK);
}

SLOW void refblame__trace_mod_and_return(const refblame_ref_t *r, int delta, int count)
{
	lttng_ust_tracepoint(refblame, ref_mod_and_return, r, delta, count, CALLER, STACK);
}

SLOW void refblame__trace_mod_unless(const refblame_ref_t *r, int nr, int count, int ret)
{
	lttng_ust_tracepoint(refblame, ref_mod_unless, r, nr, count, ret, CALLER, STACK);
}

SLOW void refblame__trace_freeze(const refblame_ref_t *r, int expected, int count, int ret)
{
	lttng_ust_tracepoint(refblame, ref_freeze, r, expected, count, ret, CALLER, STACK);
}

SLOW void refblame__trace_unfreeze(const refblame_ref_t *r, int count)
{
	lttng_ust_tracepoint(refblame, ref_unfreeze, r, count, CALLER, STACK);
}

SLOW void refblame__trace_obj_init(const refblame_ref_t *r, const char *kind, int count)
{
	lttng_ust_tracepoint(refblame, obj_init, r, kind, count, CALLER, STACK);
}

SLOW void refblame__trace_obj_free(const refblame_ref_t *r, int count)
{
	lttng_ust_tracepoint(refblame, obj_free, r, count, CALLER, STACK);
}

SLOW void refblame__trace_move(const refblame_ref_t *r, int count, const void *from, const void *to)
{
	lttng_ust_tracepoint(refblame, ref_move, r, count, from, to, CALLER, STACK);
}
