// site_matching_test.cpp: which release site undoes which acquire site, from whole-life counts only (LifeFlows, match_sites).
#include "attribute/life_flows.hpp"
#include "event_builder.hpp"
#include "replay/site_index.hpp"

#include <gtest/gtest.h>

#include <map>

namespace refblame::analyzer::attribute {
namespace {

constexpr std::uint64_t init_site = 0x10, ra_site = 0x20, end_io_site = 0x28, map_site = 0x30, unmap_site = 0x38,
                        pin_site = 0x40, io_done_site = 0x48, final_site = 0x50;
constexpr std::int32_t tid = 1;

struct Matched {
    replay::SiteIndex sites;
    SiteMatching m;
    std::uint64_t partner_of(std::uint64_t release) const
    {
        std::uint32_t id = sites.find(SiteKey{4242, release, 0});
        std::uint32_t p = id ? m.partner_of(id) : 0;
        return p ? sites.key(p).address : 0;
    }
    std::uint64_t reserved_by(std::uint64_t acquire) const
    {
        std::uint32_t id = sites.find(SiteKey{4242, acquire, 0});
        std::uint32_t r = id ? m.reserved_by(id) : 0;
        return r ? sites.key(r).address : 0;
    }
};

Matched match(std::vector<Event> events)
{
    Matched out;
    LifeFlows flows;
    for (Event &e : events) {
        out.sites.assign(e);
        flows.on_event(e);
    }
    out.m = flows.finish();
    return out;
}

// examples/page_pool.c's shape: readahead, map, end-io back to back on one thread; some pages mapped
// twice; every map unmapped before the page-cache ref is dropped and the page freed.
std::vector<Event> readahead_map_pages(int pages, bool free_them = true)
{
    testing::EventBuilder b;
    for (int i = 0; i < pages; ++i) {
        std::uint64_t page = 0xa000 + static_cast<std::uint64_t>(i) * 0x40;
        b.init(page, "page", 1, init_site, tid);
        b.get(page, ra_site, tid);
        b.get(page, map_site, tid);
        b.put(page, end_io_site, tid);
        if (i % 2)
            b.get(page, map_site, tid);
    }
    for (int i = 0; i < pages; ++i) {
        std::uint64_t page = 0xa000 + static_cast<std::uint64_t>(i) * 0x40;
        for (int maps = 1 + i % 2; maps > 0; --maps)
            b.put(page, unmap_site, tid);
        b.put(page, final_site, tid);
        if (free_them)
            b.free(page, 0x60, tid);
    }
    return b.take();
}

TEST(SiteMatching, TheCountsThatFollowTellTheCompletionUndidTheReadaheadNotTheMap)
{
    Matched m = match(readahead_map_pages(8));
    // Every map is unmapped by the unmaps (counts balance on every page, twice on some): the
    // end-io cannot have taken a map ref, so it undid the readahead.
    EXPECT_EQ(m.partner_of(unmap_site), map_site);
    EXPECT_EQ(m.partner_of(end_io_site), ra_site);
    EXPECT_EQ(m.reserved_by(map_site), unmap_site);
    // The final put takes the count to zero: it may release the object's own ref, never matched.
    EXPECT_EQ(m.partner_of(final_site), 0u);
    EXPECT_EQ(m.reserved_by(init_site), 0u);
}

TEST(SiteMatching, OneCallerReachedThroughTwoStacksIsOneSite)
{
    // map_page called from two paths: two recorded stacks, one caller. Split by stack, neither
    // "site" alone balances the unmaps and nothing would match.
    std::vector<Event> events = readahead_map_pages(8);
    std::uint32_t n = 0;
    for (Event &e : events)
        if (e.caller == map_site)
            e.stack_id = 1 + n++ % 2;
    ASSERT_GT(n, 8u);
    Matched m = match(std::move(events));
    EXPECT_EQ(m.partner_of(unmap_site), map_site);
    EXPECT_EQ(m.partner_of(end_io_site), ra_site);
}

TEST(SiteMatching, LivesStillOpenAtTheEndOnlyRuleOutNotIn)
{
    // Never freed: no complete life, so nothing is balanced, nothing matched.
    Matched m = match(readahead_map_pages(8, false));
    EXPECT_TRUE(m.m.empty());
}

TEST(SiteMatching, TooFewLivesAreNotEvidence)
{
    Matched m = match(readahead_map_pages(2));
    EXPECT_TRUE(m.m.empty());
}

TEST(SiteMatching, AReleaseSiteThatUndoesTwoAcquireSitesIsNotMatched)
{
    testing::EventBuilder b;
    for (int i = 0; i < 8; ++i) { // one completion function for readahead and pin (shared_completion)
        std::uint64_t page = 0xb000 + static_cast<std::uint64_t>(i) * 0x40;
        b.init(page, "page", 1, init_site, tid);
        b.get(page, ra_site, tid);
        if (i % 3 == 0)
            b.get(page, pin_site, tid);
        b.put(page, io_done_site, tid);
        if (i % 3 == 0)
            b.put(page, io_done_site, tid);
        b.put(page, final_site, tid);
        b.free(page, 0x60, tid);
    }
    Matched m = match(b.take());
    EXPECT_EQ(m.partner_of(io_done_site), 0u);
    EXPECT_EQ(m.reserved_by(ra_site), 0u);
    EXPECT_EQ(m.reserved_by(pin_site), 0u);
}

TEST(SiteMatching, APutBeforeTheGetItWouldUndoRulesThePairOut)
{
    testing::EventBuilder b;
    for (int i = 0; i < 8; ++i) { // balanced over the life, but the "release" comes first
        std::uint64_t page = 0xc000 + static_cast<std::uint64_t>(i) * 0x40;
        b.init(page, "page", 2, init_site, tid);
        b.put(page, end_io_site, tid);
        b.get(page, ra_site, tid);
        b.put(page, final_site, tid);
        b.put(page, final_site, tid);
        b.free(page, 0x60, tid);
    }
    Matched m = match(b.take());
    EXPECT_EQ(m.partner_of(end_io_site), 0u);
}

TEST(SiteMatching, TwoReleaseSitesLeftWithTheSameOnlyOptionGetNeither)
{
    testing::EventBuilder b;
    for (int i = 0; i < 8; ++i) { // ra and pin taken together, released by two sites: counts cannot pair them
        std::uint64_t page = 0xd000 + static_cast<std::uint64_t>(i) * 0x40;
        b.init(page, "page", 1, init_site, tid);
        b.get(page, ra_site, tid);
        b.get(page, pin_site, tid);
        b.put(page, end_io_site, tid);
        b.put(page, io_done_site, tid);
        b.put(page, final_site, tid);
        b.free(page, 0x60, tid);
    }
    Matched m = match(b.take());
    EXPECT_EQ(m.partner_of(end_io_site), 0u);
    EXPECT_EQ(m.partner_of(io_done_site), 0u);
}

TEST(SiteMatching, ALifeWhoseCountJumpsSaysNothing)
{
    std::vector<Event> events = readahead_map_pages(8);
    testing::EventBuilder b(4242, events.back().time_ns + 10);
    for (int i = 0; i < 8; ++i) { // counterexamples, but each life is set() to a count: no evidence
        std::uint64_t page = 0xe000 + static_cast<std::uint64_t>(i) * 0x40;
        b.init(page, "page", 1, init_site, tid);
        b.get(page, map_site, tid);
        b.set(page, 5, 0x70, tid);
        b.put(page, unmap_site, tid);
        b.put(page, unmap_site, tid);
        b.free(page, 0x60, tid);
    }
    for (Event &e : b.take())
        events.push_back(e);
    Matched m = match(std::move(events));
    EXPECT_EQ(m.partner_of(unmap_site), map_site);
}

TEST(SiteMatching, OneCounterexampleLifeUndoesTheMatch)
{
    std::vector<Event> events = readahead_map_pages(8);
    testing::EventBuilder b(4242, events.back().time_ns + 10);
    b.init(0xf000, "page", 1, init_site, tid); // a map that the final put, not an unmap, drops
    b.get(0xf000, map_site, tid);
    b.put(0xf000, final_site, tid);
    b.put(0xf000, final_site, tid);
    b.free(0xf000, 0x60, tid);
    for (Event &e : b.take())
        events.push_back(e);
    Matched m = match(std::move(events));
    EXPECT_EQ(m.partner_of(unmap_site), 0u);
}

TEST(SiteMatching, MatchSitesNeedsBalanceOnEveryCompleteLifeWhereEitherSiteAppears)
{
    std::vector<SiteBalance> sites(4);
    sites[1].acquired_complete = 5; // acquire site 1
    sites[2].released_complete = 5; // release site 2
    sites[3].released_complete = 6; // release site 3: one life more than it balanced
    std::vector<PairBalance> pairs{{1, 2, 5, 0, false}, {1, 3, 5, 0, false}};
    SiteMatching m = match_sites(sites, pairs);
    EXPECT_EQ(m.partner_of(2), 1u);
    EXPECT_EQ(m.partner_of(3), 0u);
    sites[1].base = true; // the object's own ref: never matched
    EXPECT_TRUE(match_sites(sites, pairs).empty());
}

// A put at release R finding an acquire site with no more gets than R's earlier puts marks the pair
// overdrawn, whichever of the life's sites it is: the first 64 in the release's bits, later ones in a
// list. 70 acquire sites: the first life is short on every pair with R, a second balances them (so that
// the pairs are listed); R2 is never short.
TEST(SiteMatching, EveryPairShortAtAPutIsOverdrawnHoweverManySitesTheLifeHas)
{
    constexpr std::uint64_t release = 0x9000, release2 = 0x9008;
    constexpr int acquire_sites = 70;
    const auto acquire = [](int i) { return 0x1000 + 8 * static_cast<std::uint64_t>(i); };
    testing::EventBuilder b;
    b.init(0xa000, "page", 1, init_site, tid);
    for (int i = 0; i < acquire_sites; ++i)
        b.get(0xa000, acquire(i), tid);
    b.put(0xa000, release, tid);
    b.put(0xa000, release, tid); // each acquire site had 1 get, R has put 2 by now
    b.init(0xb000, "page", 1, init_site, tid);
    for (int i = 0; i < acquire_sites; ++i)
        b.get(0xb000, acquire(i), tid);
    b.put(0xb000, release, tid);
    b.put(0xb000, release2, tid);
    b.free(0xb000, 0x60, tid);
    replay::SiteIndex sites;
    LifeFlows flows;
    for (Event e : b.take()) {
        sites.assign(e);
        flows.on_event(e);
    }
    flows.finish();
    const auto id = [&](std::uint64_t address) { return sites.find(SiteKey{4242, address, 0}); };
    std::map<std::pair<std::uint32_t, std::uint32_t>, bool> overdrawn;
    for (const PairBalance &p : flows.pairs())
        overdrawn[{p.acquire, p.release}] = p.overdrawn;
    for (int i = 0; i < acquire_sites; ++i) {
        SCOPED_TRACE(i);
        const auto with_r = overdrawn.find({id(acquire(i)), id(release)});
        const auto with_r2 = overdrawn.find({id(acquire(i)), id(release2)});
        ASSERT_NE(with_r, overdrawn.end());
        ASSERT_NE(with_r2, overdrawn.end());
        EXPECT_TRUE(with_r->second);
        EXPECT_FALSE(with_r2->second);
    }
}

} // namespace
} // namespace refblame::analyzer::attribute
