// blockers_test.cpp: failed freezes: every open ref listed, the expected ones told apart, the blocking sites ranked.
#include "event_builder.hpp"
#include "run_passes.hpp"

#include <gtest/gtest.h>

namespace refblame::analyzer::testing {
namespace {

constexpr std::uint64_t init_site = 0x10, lru_site = 0x18, map_site = 0x20, unmap_site = 0x28, leak_site = 0x50,
                        freeze_site = 0x60, unfreeze_site = 0x68;
constexpr std::int32_t main_tid = 1, migrate_tid = 3;

int refs_of(const Blocked &b, std::uint64_t site, bool expected)
{
    int n = 0;
    for (const HeldRefs &h : b.holders)
        if (h.site.address == site && h.expected == expected)
            n += h.refs;
    return n;
}

// Pages with a page-cache (base) ref and an LRU ref; migration freezes them expecting 2.
std::vector<Event> pool(bool with_leak)
{
    EventBuilder b;
    for (std::uint64_t page = 0xa000; page < 0xa000 + 4 * 0x40; page += 0x40) {
        b.init(page, "page", 1, init_site, main_tid);
        b.get(page, lru_site, main_tid);
    }
    for (int round = 0; round < 5; ++round)
        for (std::uint64_t page = 0xa000; page < 0xa000 + 4 * 0x40; page += 0x40) {
            b.advance(100'000);
            b.get(page, map_site, main_tid);
            b.advance(50'000);
            b.put(page, unmap_site, main_tid);
            b.advance(10'000);
            if (round == 2 && page == 0xa040) // a transient map blocks one freeze
                b.get(page, map_site, main_tid);
            if (with_leak && round == 1 && page == 0xa080)
                b.get(page, leak_site, main_tid); // never released: blocks every later freeze of this page
            if (b.freeze(page, 2, freeze_site, migrate_tid).ret)
                b.unfreeze(page, 2, unfreeze_site, migrate_tid);
            if (round == 2 && page == 0xa040)
                b.put(page, unmap_site, main_tid);
        }
    return b.take();
}

TEST(Blockers, EveryOpenRefIsListedAndTheyAddUpToTheCountSeen)
{
    query::Analysis a = analyze_events(pool(true));
    ASSERT_FALSE(a.blocked.empty());
    for (const Blocked &b : a.blocked) {
        int refs = 0;
        for (const HeldRefs &h : b.holders)
            refs += h.refs;
        EXPECT_EQ(refs, b.count);
        EXPECT_EQ(b.expected, 2);
        EXPECT_EQ(b.freeze_site.address, freeze_site);
        EXPECT_EQ(b.tid, migrate_tid);
        EXPECT_EQ(b.kind, "page");
        EXPECT_FALSE(b.uncertain);
    }
}

TEST(Blockers, TheBaseAndLruRefsAreExpectedAndTheExtraOnesBlock)
{
    query::Analysis a = analyze_events(pool(true));
    ASSERT_EQ(a.blocked.size(), 5u); // the transient map once, the leak on rounds 1..4
    for (const Blocked &b : a.blocked) {
        EXPECT_EQ(refs_of(b, init_site, true), 1);
        EXPECT_EQ(refs_of(b, lru_site, true), 1);
        EXPECT_EQ(refs_of(b, map_site, true) + refs_of(b, leak_site, true), 0);
        EXPECT_EQ(refs_of(b, map_site, false) + refs_of(b, leak_site, false), 1);
        EXPECT_FALSE(b.holders.front().expected); // blockers are listed first
    }
}

TEST(Blockers, APlantedLeakRanksFirstNotTheRefsPresentAtEveryFreeze)
{
    query::Analysis a = analyze_events(pool(true));
    ASSERT_GE(a.sites.size(), 2u);
    EXPECT_EQ(a.sites[0].site.address, leak_site);
    EXPECT_EQ(a.sites[0].blocked, 4u);
    EXPECT_EQ(a.sites[0].blocked_refs, 4u);
    EXPECT_EQ(a.sites[1].site.address, map_site);
    EXPECT_EQ(a.sites[1].blocked, 1u);
    for (const SiteStats &s : a.sites) {
        if (s.site.address == init_site || s.site.address == lru_site) {
            EXPECT_EQ(s.blocked, 0u);
        }
    }
}

TEST(Blockers, WithoutAnySuccessfulFreezeTheBaseAndLongLivedRefsAreStillExpected)
{
    EventBuilder b;
    b.init(0xa000, "page", 1, init_site, main_tid);
    b.get(0xa000, lru_site, main_tid);
    for (int i = 0; i < 5; ++i) {
        b.advance(1'000'000);
        b.get(0xa000, map_site, main_tid);
        b.advance(10'000);
        b.put(0xa000, unmap_site, main_tid);
    }
    b.get(0xa000, map_site, main_tid);
    b.advance(10'000);
    b.freeze(0xa000, 2, freeze_site, migrate_tid);
    query::Analysis a = analyze_events(b.take());
    ASSERT_EQ(a.blocked.size(), 1u);
    EXPECT_EQ(refs_of(a.blocked[0], init_site, true), 1);
    EXPECT_EQ(refs_of(a.blocked[0], lru_site, true), 1);
    EXPECT_EQ(refs_of(a.blocked[0], map_site, false), 1);
}

TEST(Blockers, TheKindFilterKeepsOnlyObjectsOfThatKind)
{
    EventBuilder b;
    b.init(0xa000, "page", 2, init_site, main_tid);
    b.init(0xb000, "inode", 2, init_site, main_tid);
    b.freeze(0xa000, 1, freeze_site, migrate_tid);
    b.freeze(0xb000, 1, freeze_site, migrate_tid);
    query::AnalysisOptions o;
    o.kind = "inode";
    query::Analysis a = analyze_events(b.take(), o);
    ASSERT_EQ(a.blocked.size(), 1u);
    EXPECT_EQ(a.blocked[0].object.obj, 0xb000u);
}

} // namespace
} // namespace refblame::analyzer::testing
