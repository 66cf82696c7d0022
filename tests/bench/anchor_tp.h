/* anchor_tp.h: the benchmarks' anchor, a bare LTTng-UST provider whose events carry refblame's ref_mod/ref_freeze payloads. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER refblame_bench_anchor

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./anchor_tp.h"

/* As in lib/src/refblame_tp.h, so that the generated probes do the same work. */
#undef LTTNG_UST_TP_IP_PARAM
#define LTTNG_UST_TP_IP_PARAM caller

#if !defined(REFBLAME_BENCH_ANCHOR_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define REFBLAME_BENCH_ANCHOR_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

/* Field for field refblame:ref_mod. */
LTTNG_UST_TRACEPOINT_EVENT(refblame_bench_anchor, ref_mod,
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

/* Field for field refblame:ref_freeze. */
LTTNG_UST_TRACEPOINT_EVENT(refblame_bench_anchor, ref_freeze,
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

#endif /* REFBLAME_BENCH_ANCHOR_TP_H */

#include <lttng/tracepoint-event.h>
