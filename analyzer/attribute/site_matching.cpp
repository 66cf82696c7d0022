// site_matching.cpp: from per-pair balances to matched (acquire, release) sites, by eliminating what the counts rule out.
#include "attribute/site_matching.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace refblame::analyzer::attribute {

void SiteMatching::match(std::uint32_t acquire, std::uint32_t release)
{
    if (partner_.size() <= release)
        partner_.resize(release + 1, 0);
    if (reserved_by_.size() <= acquire)
        reserved_by_.resize(acquire + 1, 0);
    partner_[release] = acquire;
    reserved_by_[acquire] = release;
    ++pairs_;
}

SiteMatching match_sites(const std::vector<SiteBalance> &sites, const std::vector<PairBalance> &pairs,
                         std::uint32_t min_lives)
{
    // Edges: R could be the only site that undoes A, and A the only site R undoes.
    std::map<std::uint32_t, std::set<std::uint32_t>> of_release, of_acquire;
    for (const PairBalance &p : pairs) {
        if (p.acquire == p.release || p.acquire >= sites.size() || p.release >= sites.size())
            continue;
        const SiteBalance &a = sites[p.acquire], &r = sites[p.release];
        bool balanced = p.balanced >= min_lives && p.balanced == a.acquired_complete &&
                        p.balanced == r.released_complete && p.covered == r.released_truncated;
        if (a.base || p.overdrawn || !balanced)
            continue;
        of_release[p.release].insert(p.acquire);
        of_acquire[p.acquire].insert(p.release);
    }
    const auto drop_acquire = [&](std::uint32_t acquire) {
        for (std::uint32_t r : of_acquire[acquire])
            of_release[r].erase(acquire);
        of_acquire.erase(acquire);
    };

    // A release site left with one possible partner takes it; that partner's
    // refs are then all accounted for, so it leaves every other site's options.
    // A site that took a count to zero may be releasing the object's own ref
    // (never in the graph): it is not forced onto its one remaining option.
    SiteMatching m;
    for (bool changed = true; changed;) {
        changed = false;
        for (auto &[release, options] : of_release) {
            if (options.size() != 1 || sites[release].reached_zero || m.partner_of(release))
                continue;
            std::uint32_t acquire = *options.begin();
            bool contested = false;
            for (std::uint32_t other : of_acquire[acquire])
                contested |= other != release && !sites[other].reached_zero && of_release[other].size() == 1;
            if (!contested)
                m.match(acquire, release);
            drop_acquire(acquire); // only the option sets change: iterating of_release stays valid
            changed = true;
        }
    }
    return m;
}

} // namespace refblame::analyzer::attribute
