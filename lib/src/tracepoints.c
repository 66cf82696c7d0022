/* tracepoints.c: instantiates the `refblame` LTTng-UST provider inside librefblame. */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "refblame_tp.h"
