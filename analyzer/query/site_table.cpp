// site_table.cpp: accumulates SiteStats; the median hold time comes from a log-scale histogram (memory per site is fixed).
#include "query/site_table.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace refblame::analyzer::query {

namespace {

std::size_t bucket_of(std::uint64_t ns)
{
    double b = 4.0 * std::log2(static_cast<double>(ns) + 1.0);
    return std::min<std::size_t>(static_cast<std::size_t>(b), 255);
}

std::uint64_t bucket_middle(std::size_t b)
{
    return static_cast<std::uint64_t>(std::exp2((static_cast<double>(b) + 0.5) / 4.0) - 1.0);
}

} // namespace

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
    std::uint32_t &b = r.hold_histogram[bucket_of(hold_ns)];
    b = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t{b} + units, UINT32_MAX));
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

std::vector<SiteStats> SiteTable::report() const
{
    std::vector<SiteStats> out;
    out.reserve(rows_.size());
    for (const auto &[site, r] : rows_) {
        SiteStats s = r.stats;
        std::uint64_t total = 0;
        for (std::uint32_t n : r.hold_histogram)
            total += n;
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b < r.hold_histogram.size() && total > 0; ++b) {
            seen += r.hold_histogram[b];
            if (2 * seen >= total) {
                s.hold_ns_median = std::min(bucket_middle(b), s.hold_ns_max);
                break;
            }
        }
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
