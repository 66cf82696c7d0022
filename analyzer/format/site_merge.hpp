// site_merge.hpp: per-site totals merged by source location (per-process addresses of one line become one row).
#pragma once

#include "format/site_view.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace refblame::analyzer {

// Rows of T keyed by the symbolized location of a SiteKey, in first-seen order
// until the caller sorts them.
template <class T>
class SiteMerge {
public:
    explicit SiteMerge(Symbolizer &sym) : sym_(sym) {}

    // The row for this site, created empty on first sight.
    T &at(const SiteKey &key)
    {
        const SymbolizedSite &s = sym_.resolve(key);
        auto [it, fresh] = index_.try_emplace(site_identity(s), rows_.size());
        if (fresh)
            rows_.push_back({s, T{}});
        return rows_[it->second].second;
    }

    template <class Less>
    std::vector<std::pair<SymbolizedSite, T>> sorted(Less less) &&
    {
        std::stable_sort(rows_.begin(), rows_.end(),
                         [&](const auto &a, const auto &b) { return less(a.second, b.second); });
        return std::move(rows_);
    }

private:
    Symbolizer &sym_;
    std::map<std::string, std::size_t> index_;
    std::vector<std::pair<SymbolizedSite, T>> rows_;
};

// Per-site stats summed over the addresses of one source location, most
// blocking first, then most outstanding.
inline std::vector<std::pair<SymbolizedSite, SiteStats>> merge_site_stats(const std::vector<SiteStats> &sites,
                                                                          Symbolizer &sym)
{
    SiteMerge<SiteStats> merge(sym);
    for (const SiteStats &s : sites)
        merge.at(s.site).add(s);
    auto rows = std::move(merge).sorted([](const SiteStats &a, const SiteStats &b) {
        return a.blocked != b.blocked ? a.blocked > b.blocked : a.outstanding > b.outstanding;
    });
    for (auto &[site, r] : rows)
        r.hold_ns_median = r.holds.median(r.hold_ns_max);
    return rows;
}

} // namespace refblame::analyzer
