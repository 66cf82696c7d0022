// tracing_switch.hpp: bench_ops' one session on itself, whose refblame:* and anchor events are switched on and off between benchmarks.
#pragma once

#include "bench_session.hpp"

#include <string>

namespace refblame::bench {

enum class SwitchResult {
    ok,
    foreign, // asked for "disabled", but another session (not ours) keeps the tracepoints enabled
    failed,  // the session could not be made, or the tracepoints did not follow
};

// Where and how the session records; the session itself is made at the first set_tracing(true).
void configure_tracing(const SessionConfig &config);

// Puts the tracepoints of refblame (ref_mod, ref_freeze) and of the anchor in the wanted state
// and waits until this process sees it. On failure `why` says what went wrong.
SwitchResult set_tracing(bool on, std::string &why);

// Stops and destroys the session if one was made; its loss counters, and whether there was one.
bool finish_tracing(LossCounts &counts);

} // namespace refblame::bench
