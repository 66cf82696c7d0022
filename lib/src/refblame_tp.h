/* refblame_tp.h: the LTTng-UST provider `refblame`: one event per kind of reference operation. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER refblame

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./refblame_tp.h"

/* The `ip` context carries the user's call site, so plain `babeltrace2 --debug-info` names it. */
#undef LTTNG_UST_TP_IP_PARAM
#define LTTNG_UST_TP_IP_PARAM caller

#if !defined(REFBLAME_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define REFBLAME_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

/*
 * Payload (compact, fixed width): obj = address of the counter, count = value
 * after the op, val = delta / expected / new value, ret = result where the op
 * returns one, caller = return address into user code, stack = id of the
 * recorded call stack (0: none), holder = the tracked holder (tracked events
 * only).
 */

/* ref_set: count set to val (set_page_count). */
LTTNG_UST_TRACEPOINT_EVENT(refblame, ref_set,
	LTTNG_UST_TP_ARGS(const void *, obj, int, v, const void *, caller, uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, v)
		lttng_ust_field_integer(int32_t, val, v)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
	)
)

/* ref_mod: add/sub/inc/dec (anonymous references). */
LTTNG_UST_TRACEPOINT_EVENT(refblame, ref_mod,
	LTTNG_UST_TP_ARGS(const void *, obj, int, delta, int, cnt, const void *, caller,
			  uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer(int32_t, val, delta)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
	)
)

/* ref_mod_and_test: sub_and_test/dec_and_test; ret = reached zero. */
LTTNG_UST_TRACEPOINT_EVENT(refblame, ref_mod_and_test,
	LTTNG_UST_TP_ARGS(const void *, obj, int, delta, int, cnt, int, ret, const void *, caller,
			  uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer(int32_t, val, delta)
		lttng_ust_field_integer(uint8_t, ret, ret)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
	)
)

/*
 * ref_get / ref_put: tracked get and put (refblame_ref_get/put, ref_ptr):
 * ref_mod / ref_mod_and_test plus the holder. Anonymous ops do not carry a
 * holder field, which keeps them within 40 bytes per event on disk.
 */
LTTNG_UST_TRACEPOINT_EVENT(refblame, ref_get,
	LTTNG_UST_TP_ARGS(const void *, obj, int, cnt, const void *, caller, const void *, holder,
			  uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
		lttng_ust_field_integer_hex(uint64_t, holder, (uintptr_t)holder)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(refblame, ref_put,
	LTTNG_UST_TP_ARGS(const void *, obj, int, cnt, int, ret, const void *, caller,
			  const void *, holder, uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer(uint8_t, ret, ret)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
		lttng_ust_field_integer_hex(uint64_t, holder, (uintptr_t)holder)
	)
)

/* ref_mod_and_return: inc_return/dec_return; ret = the new count. */
LTTNG_UST_TRACEPOINT_EVENT(refblame, ref_mod_and_return,
	LTTNG_UST_TP_ARGS(const void *, obj, int, delta, int, cnt, const void *, caller,
			  uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer(int32_t, val, delta)
		lttng_ust_field_integer(int32_t, ret, cnt)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
	)
)

/* ref_mod_unless: add_unless/get_unless_zero; ret = whether it added val. */
LTTNG_UST_TRACEPOINT_EVENT(refblame, ref_mod_unless,
	LTTNG_UST_TP_ARGS(const void *, obj, int, nr, int, cnt, int, ret, const void *, caller,
			  uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer(int32_t, val, nr)
		lttng_ust_field_integer(uint8_t, ret, ret)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
	)
)

/* ref_freeze: val = expected; count = 0 on success, else the count seen; ret = success. */
LTTNG_UST_TRACEPOINT_EVENT(refblame, ref_freeze,
	LTTNG_UST_TP_ARGS(const void *, obj, int, expected, int, cnt, int, ret, const void *, caller,
			  uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer(int32_t, val, expected)
		lttng_ust_field_integer(uint8_t, ret, ret)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
	)
)

/* ref_unfreeze: count (and val) = the count restored. */
LTTNG_UST_TRACEPOINT_EVENT(refblame, ref_unfreeze,
	LTTNG_UST_TP_ARGS(const void *, obj, int, cnt, const void *, caller, uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer(int32_t, val, cnt)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
	)
)

/* obj_init: a new object (or a new generation at a reused address) of `kind`. */
LTTNG_UST_TRACEPOINT_EVENT(refblame, obj_init,
	LTTNG_UST_TP_ARGS(const void *, obj, const char *, kind, int, cnt, const void *, caller,
			  uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer(int32_t, val, cnt)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
		lttng_ust_field_string(kind, kind ? kind : "object")
	)
)

/* obj_free: the object is gone; count = references still counted. */
LTTNG_UST_TRACEPOINT_EVENT(refblame, obj_free,
	LTTNG_UST_TP_ARGS(const void *, obj, int, cnt, const void *, caller, uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer(int32_t, val, 0)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
	)
)

/* ref_move: a reference passes from holder `from` (0: anonymous) to `holder`. */
LTTNG_UST_TRACEPOINT_EVENT(refblame, ref_move,
	LTTNG_UST_TP_ARGS(const void *, obj, int, cnt, const void *, from, const void *, to,
			  const void *, caller, uint32_t, stack),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer_hex(uint64_t, obj, (uintptr_t)obj)
		lttng_ust_field_integer(int32_t, count, cnt)
		lttng_ust_field_integer(int32_t, val, 0)
		lttng_ust_field_integer_hex(uint64_t, caller, (uintptr_t)caller)
		lttng_ust_field_integer(uint32_t, stack, stack)
		lttng_ust_field_integer_hex(uint64_t, holder, (uintptr_t)to)
		lttng_ust_field_integer_hex(uint64_t, from, (uintptr_t)from)
	)
)

/*
 * stack: a call stack, written once per process before the first op event
 * whose `stack` is its id. frames: the return addresses above that op's
 * caller, innermost first (REFBLAME_STACK of them at most). `caller` is the
 * first op's call site, for the `ip` context only.
 */
LTTNG_UST_TRACEPOINT_EVENT(refblame, stack,
	LTTNG_UST_TP_ARGS(uint32_t, id, const uint64_t *, frames, unsigned int, depth, const void *, caller),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint32_t, id, id)
		lttng_ust_field_sequence_hex(uint64_t, frames, frames, uint32_t, depth)
	)
)

#endif /* REFBLAME_TP_H */

#include <lttng/tracepoint-event.h>
