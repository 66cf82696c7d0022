// site_table.cpp: accumulates SiteStats per site; the median hold time comes from its HoldHistogram.
#include "query/site_table.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace refblame::analyzer::query {


SiteTable::Row &SiteTable::row(const SiteKey &site)
{
    auto [it, fresh] = rows_.try_emplace(site);
    if (fresh)
        it->second.stats.site = site;
    return it->second;
}

const SiteStats *SiteTable::find(const SiteKey &site) const
{
    auto it = rows_.find(site);
    return it == rows_.end() ? nullptr : &it->second.stats;
}

const SiteStats *SiteTable::find_caller(const SiteKey &site) const
{
    if (!callers_built_) {
        callers_built_ = true;
        for (const auto &[key, row] : rows_) {
            SiteStats &c = callers_[SiteKey{key.pid, key.address, 0}];
            c.site = SiteKey{key.pid, key.address, 0};
            c.gets += row.stats.gets;
            c.puts += row.stats.puts;
            c.outstanding += row.stats.outstanding;
        }
    }
    auto it = callers_.find(SiteKey{site.pid, site.address, 0});
    return it == callers_.end() ? nullptr : &it->second;
}

SiteTable::Row &SiteTable::row(const SiteKey &site, std::uint32_t site_id)
{
    if (site_id == 0)
        return row(site);
    if (site_id >= by_id_.size())
        by_id_.resize(static_cast<std::size_t>(site_id) + 1, nullptr);
    Row *&r = by_id_[site_id];
    if (!r)
        r = &row(site);
    return *r;
}

void SiteTable::acquired(const SiteKey &site, std::uint64_t units, std::uint32_t site_id)
{
    row(site, site_id).stats.gets += units;
}

void SiteTable::released(const SiteKey &site, std::uint64_t units, std::uint64_t hold_ns, std::uint32_t site_id)
{
    Row &r = row(site, site_id);
    r.stats.puts += units;
    r.stats.hold_ns_total += units * hold_ns;
    r.stats.hold_ns_max = std::max(r.stats.hold_ns_max, hold_ns);
    r.stats.holds.add(hold_ns, units);
}

void SiteTable::outstanding(const SiteKey &site, std::uint64_t units)
{
    row(site).stats.outstanding += units;
}

void SiteTable::blocked(const SiteKey &site, std::uint64_t refs)
{
    Row &r = row(site);
    r.stats.blocked += 1;
    r.stats.blocked_refs += refs;
}

void SiteTable::absorb(const SiteTable &other)
{
    for (const auto &[site, theirs] : other.rows_)
        row(site).stats.add(theirs.stats);
    callers_built_ = false;
    callers_.clear();
}

std::vector<SiteStats> SiteTable::report() const
{
    std::vector<SiteStats> out;
    out.reserve(rows_.size());
    for (const auto &[site, r] : rows_) {
        SiteStats s = r.stats;
        s.hold_ns_median = s.holds.median(s.hold_ns_max);
        out.push_back(s);
    }
    std::sort(out.begin(), out.end(), [](const SiteStats &a, const SiteStats &b) {
        return std::make_tuple(b.blocked, b.blocked_refs, b.outstanding, b.gets, a.site.pid, a.site.address,
                               a.site.stack_id) < std::make_tuple(a.blocked, a.blocked_refs, a.outstanding, a.gets,
                                                                  b.site.pid, b.site.address, b.site.stack_id);
    });
    return out;
}

} // namespace refblame::analyzer::query
