// ranking.cpp: ranks call sites by how many failed freezes they blocked, merged by source location.
#include "format/ranking.hpp"

#include "format/site_view.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace refblame::analyzer {

std::vector<RankedSite> rank_blocking_sites(const std::vector<Blocked> &blocked, Symbolizer &sym)
{
    std::map<std::string, RankedSite> by_site;
    for (const Blocked &b : blocked) {
        std::set<std::string> counted; // a site blocks a given freeze once
        for (const HeldRefs &h : b.holders) {
            if (h.expected)
                continue;
            const SymbolizedSite &s = sym.resolve(h.site);
            std::string id = site_identity(s);
            auto [it, fresh] = by_site.try_emplace(id);
            RankedSite &r = it->second;
            if (fresh)
                r.site = s;
            if (counted.insert(id).second)
                ++r.blocked;
            r.refs += static_cast<std::uint64_t>(h.refs);
            r.confidence = std::max(r.confidence, h.confidence); // exact < inferred < guess
            r.uncertain = r.uncertain || h.uncertain || b.uncertain;
        }
    }
    std::vector<RankedSite> out;
    out.reserve(by_site.size());
    for (auto &[id, r] : by_site)
        out.push_back(std::move(r));
    std::stable_sort(out.begin(), out.end(), [](const RankedSite &a, const RankedSite &b) {
        if (a.blocked != b.blocked)
            return a.blocked > b.blocked;
        return a.refs > b.refs;
    });
    return out;
}

} // namespace refblame::analyzer
