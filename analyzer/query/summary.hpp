// summary.hpp: the trace-wide numbers (stats) and the completeness warnings every report carries.
#pragma once

#include "model/report.hpp"
#include "replay/engine.hpp"

#include <cstdint>

namespace refblame::analyzer::query {

// `findings_dropped`: findings past the cap that were counted but not listed.
TraceSummary make_summary(const replay::ReplayCounters &counters, std::uint64_t findings_dropped);

} // namespace refblame::analyzer::query
