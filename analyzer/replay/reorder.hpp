// reorder.hpp: puts one object's events from several CPUs back in the order their counts say.
#pragma once

#include "model/event.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace refblame::analyzer::replay {

// Per-CPU streams are merged by timestamp, but a timestamp is taken after the
// atomic op, so two threads' ops on one object can arrive swapped. Find an
// order of `pending` (arrival order) in which every event follows from the
// count before it, starting from `count`, keeping each thread's own events in
// arrival order (one thread's ops are sequential). Among consistent orders the
// one closest to arrival order is returned, as indexes into `pending`; empty
// when there is none (or the search exceeded `max_steps`).
std::vector<std::size_t> consistent_order(std::int32_t count, const std::vector<Event> &pending,
                                          std::size_t max_steps = 4096);

} // namespace refblame::analyzer::replay
