/* anchor_tp.c: instantiates the refblame_bench_anchor provider in the benchmark programs. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "anchor_tp.h"
