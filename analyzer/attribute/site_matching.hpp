// site_matching.hpp: which release site undoes which acquire site, decided from whole-life counts per object (no pairing decision involved).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace refblame::analyzer::attribute {

// Release site R is matched to acquire site A when, on every object, R's
// anonymous puts could only have undone A's anonymous gets: the counts balance
// over every complete life (gets at A == puts at R, and never more puts than
// gets at any moment), and no other site stays consistent once the other
// matches are made. Then every ref A takes is undone by R (A is reserved), so
// puts at other sites do not take A's refs. Built by LifeFlows (pass 1); site
// ids are SiteIndex ids.
class SiteMatching {
public:
    // The acquire site release site `release` undoes; 0 when not matched.
    std::uint32_t partner_of(std::uint32_t release) const
    {
        return release < partner_.size() ? partner_[release] : 0;
    }
    // The release site that undoes every ref of `acquire`; 0 when none is known.
    std::uint32_t reserved_by(std::uint32_t acquire) const
    {
        return acquire < reserved_by_.size() ? reserved_by_[acquire] : 0;
    }
    bool empty() const { return pairs_ == 0; }
    std::size_t pairs() const { return pairs_; }

    void match(std::uint32_t acquire, std::uint32_t release);

private:
    std::vector<std::uint32_t> partner_;     // by release site id
    std::vector<std::uint32_t> reserved_by_; // by acquire site id
    std::size_t pairs_ = 0;
};

// The matching at both granularities a site has. By caller: the code that takes
// or drops a reference, whatever path led there (map_page reached from two
// paths is one site). By stack: the caller and the recorded stack (a helper
// that every get and put goes through is only told apart by who called it).
// A put is matched by stack first, then by caller; empty `by_stack` when no
// stacks were recorded.
struct Matchings {
    SiteMatching by_caller; // ids: Event::caller_site, OpenRef::caller_id
    SiteMatching by_stack;  // ids: Event::site, OpenRef::site_id
};

// What LifeFlows learned about one (acquire, release) pair, for the matching.
struct PairBalance {
    std::uint32_t acquire = 0, release = 0;
    std::uint32_t balanced = 0;  // complete lives where gets at acquire == puts at release > 0
    std::uint32_t covered = 0;   // truncated lives where gets at acquire >= puts at release > 0
    bool overdrawn = false;      // some put at release found no more gets at acquire than earlier puts
};

// Per site: in how many lives it appeared, and whether it could release the object's own (base) reference.
struct SiteBalance {
    std::uint32_t acquired_complete = 0; // complete lives with anonymous gets here
    std::uint32_t released_complete = 0; // complete lives with anonymous puts here
    std::uint32_t released_truncated = 0;
    bool base = false;       // acquired refs by obj_init (the object's own ref: never matched)
    bool reached_zero = false; // a put here took the count to 0: it may release the base ref
};

// The matching the balances support (see SiteMatching); `min_lives` complete lives per pair at least.
SiteMatching match_sites(const std::vector<SiteBalance> &sites, const std::vector<PairBalance> &pairs,
                         std::uint32_t min_lives = 3);

} // namespace refblame::analyzer::attribute
