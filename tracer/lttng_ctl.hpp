// lttng_ctl.hpp: liblttng-ctl, loaded when a recording first needs it, so that queries start without it (and its libxml2 and ICU).
#pragma once

#include <lttng/lttng.h>

namespace refblame::tracer {

// Every liblttng-ctl function the tracer calls.
#define REFBLAME_LTTNG_CTL_FUNCTIONS(X) \
    X(lttng_add_context) \
    X(lttng_channel_create) \
    X(lttng_channel_destroy) \
    X(lttng_channel_get_discarded_event_count) \
    X(lttng_channel_get_lost_packet_count) \
    X(lttng_channel_set_blocking_timeout) \
    X(lttng_create_handle) \
    X(lttng_create_session_ext) \
    X(lttng_data_pending) \
    X(lttng_destroy_handle) \
    X(lttng_destroy_session) \
    X(lttng_destroy_session_ext) \
    X(lttng_destroy_session_no_wait) \
    X(lttng_destruction_handle_destroy) \
    X(lttng_destruction_handle_get_result) \
    X(lttng_destruction_handle_wait_for_completion) \
    X(lttng_enable_channel) \
    X(lttng_enable_event) \
    X(lttng_event_create) \
    X(lttng_event_destroy) \
    X(lttng_list_channels) \
    X(lttng_session_daemon_alive) \
    X(lttng_session_descriptor_destroy) \
    X(lttng_session_descriptor_local_create) \
    X(lttng_start_tracing) \
    X(lttng_stop_tracing_no_wait) \
    X(lttng_strerror)

// The functions, as pointers of their declared types: ctl().lttng_start_tracing(name).
struct LttngCtl {
#define REFBLAME_LTTNG_CTL_POINTER(f) decltype(&::f) f = nullptr;
    REFBLAME_LTTNG_CTL_FUNCTIONS(REFBLAME_LTTNG_CTL_POINTER)
#undef REFBLAME_LTTNG_CTL_POINTER
};

// Loads liblttng-ctl the first time (thread-safe; it stays loaded) and returns its functions. Throws
// UserError naming the library, and what to install, when it or one of the functions is missing.
const LttngCtl &ctl();

} // namespace refblame::tracer
