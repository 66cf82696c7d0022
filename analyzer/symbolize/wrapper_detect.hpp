// wrapper_detect.hpp: finds wrapper functions from the trace itself: functions whose reference ops all come, per the recorded stacks, from many different callers.
#pragma once

#include "model/report.hpp"
#include "symbolize/symbolizer.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace refblame::analyzer {

// Distinct calling sites (function + line) a function's ops must come from to be a wrapper.
inline constexpr std::size_t wrapper_min_callers = 3;

struct WrapperFindings {
    // Wrappers: every op of the function has a recorded stack, the stacks show
    // at least wrapper_min_callers distinct calling sites, and the function does
    // nothing with the counts but take, drop, hand on references (no freeze,
    // set or unfreeze). Sorted.
    std::vector<std::string> wrappers;
    // No stack was recorded for any of its ops and it both takes and drops
    // references: a helper or a function balancing its own references; only
    // stacks can tell which, and name its callers. Sorted.
    std::vector<std::string> helpers_without_stacks;
};

WrapperFindings detect_wrappers(const std::vector<SiteUse> &uses, Symbolizer &sym);

} // namespace refblame::analyzer
