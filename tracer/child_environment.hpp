// child_environment.hpp: the environment the traced program runs with: refblame's own plus what LTTng-UST needs for the chosen loss policy.
#pragma once

#include "channel.hpp"

#include <optional>
#include <string>
#include <vector>

namespace refblame::tracer {

// How long (ms) a traced process waits at start-up for the session daemon
// to register it, unless the user's environment says otherwise: events an
// unregistered process emits are lost without being counted anywhere.
inline constexpr int register_timeout_ms = 30000;

// `base` (NAME=VALUE strings, like environ) plus:
//   LTTNG_UST_ALLOW_BLOCKING=1 in blocking mode (without it a writer
//     facing a full buffer discards even on a blocking channel);
//   LTTNG_UST_REGISTER_TIMEOUT when not already set;
//   REFBLAME_STACK (frames of call stack librefblame records per op):
//     `stack_depth` when given, else default_stack_depth unless already set.
//   LD_PRELOAD += liblttng-ust-dl.so.1 when `track_dlopen`: libraries the
//     program dlopens after start-up then get lttng_ust_lib:load events, so
//     their call sites can be symbolized.
// Everything else, LTTNG_HOME and HOME included, is passed through, so the
// program finds the same session daemon as refblame.
std::vector<std::string> child_environment(const char *const *base, LossPolicy policy,
                                           std::optional<int> stack_depth = std::nullopt,
                                           bool track_dlopen = false);

// The LTTng-UST library that wraps dlopen/dlclose (Debian's liblttng-ust1 ships it).
inline constexpr const char *dlopen_tracker = "liblttng-ust-dl.so.1";

} // namespace refblame::tracer
