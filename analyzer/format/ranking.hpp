// ranking.hpp: ranks call sites by how many failed freezes they blocked, merged by source location.
#pragma once

#include "model/report.hpp"
#include "symbolize/symbolizer.hpp"

#include <vector>

namespace refblame::analyzer {

struct RankedSite {
    SymbolizedSite site;      // a representative of the merged addresses
    std::uint64_t blocked = 0; // failed freezes where this site held an extra (not expected) ref
    std::uint64_t refs = 0;    // extra refs it held across those freezes
    Confidence confidence = Confidence::exact; // the weakest rule among its holders
    bool uncertain = false;
};

// Most blocking first; ties by refs, then by name for a stable order.
std::vector<RankedSite> rank_blocking_sites(const std::vector<Blocked> &blocked, Symbolizer &sym);

} // namespace refblame::analyzer
