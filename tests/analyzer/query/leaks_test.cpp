// leaks_test.cpp: refs still open at obj_free or at the end of the trace, by object and by acquire site.
#include "event_builder.hpp"
#include "run_passes.hpp"

#include <gtest/gtest.h>

namespace refblame::analyzer::testing {
namespace {

constexpr std::uint64_t init_site = 0x10, get_site = 0x20, put_site = 0x28, leak_site = 0x50, free_site = 0x70;

TEST(Leaks, RefsOpenAtObjFreeLeakFromAFreedObject)
{
    EventBuilder b;
    b.init(0xa000, "page", 0, init_site, 1);
    b.get(0xa000, leak_site, 1);
    b.free(0xa000, free_site, 1);
    query::Analysis a = analyze_events(b.take());
    ASSERT_EQ(a.leaks.size(), 1u);
    const ObjectState &s = a.leaks[0].state;
    EXPECT_TRUE(s.freed);
    EXPECT_EQ(s.count, 1);
    ASSERT_EQ(s.holders.size(), 1u);
    EXPECT_EQ(s.holders[0].site.address, leak_site);
    ASSERT_EQ(a.leak_sites.size(), 1u);
    EXPECT_EQ(a.leak_sites[0].freed_with_refs, 1u);
}

TEST(Leaks, RefsOpenAtTheEndLeakFromALiveObject)
{
    EventBuilder b;
    b.init(0xa000, "page", 0, init_site, 1);
    b.get(0xa000, leak_site, 1);
    query::Analysis a = analyze_events(b.take());
    ASSERT_EQ(a.leaks.size(), 1u);
    EXPECT_FALSE(a.leaks[0].state.freed);
    ASSERT_EQ(a.leak_sites.size(), 1u);
    EXPECT_EQ(a.leak_sites[0].freed_with_refs, 0u);
}

TEST(Leaks, SitesSayHowManyRefsOnHowManyObjects)
{
    EventBuilder b;
    for (std::uint64_t obj = 0xa000; obj < 0xa000 + 3 * 0x40; obj += 0x40) {
        b.init(obj, "page", 0, init_site, 1);
        b.get(obj, leak_site, 1);
        b.get(obj, leak_site, 1);
        for (int i = 0; i < 5; ++i) { // get/put pairs the model learns from
            b.advance(10'000);
            b.get(obj, get_site, 1);
            b.advance(1'000);
            b.put(obj, put_site, 1);
        }
    }
    b.free(0xa000, free_site, 1);
    query::Analysis a = analyze_events(b.take());
    ASSERT_FALSE(a.leak_sites.empty());
    const LeakSite &top = a.leak_sites[0];
    EXPECT_EQ(top.site.address, leak_site);
    EXPECT_EQ(top.refs, 6u);
    EXPECT_EQ(top.objects, 3u);
    EXPECT_EQ(top.freed_with_refs, 1u);
    EXPECT_EQ(a.leaks.size(), 3u);
    EXPECT_TRUE(a.leaks[0].state.freed); // freed-with-refs first
}

TEST(Leaks, AnObjectThatReleasedEverythingIsNotALeak)
{
    EventBuilder b;
    b.init(0xa000, "page", 1, init_site, 1);
    b.get(0xa000, get_site, 1);
    b.put(0xa000, put_site, 1);
    b.put(0xa000, put_site, 1);
    b.free(0xa000, free_site, 1);
    b.init(0xb000, "page", 0, init_site, 1);
    query::Analysis a = analyze_events(b.take());
    EXPECT_TRUE(a.leaks.empty());
    EXPECT_TRUE(a.leak_sites.empty());
}

} // namespace
} // namespace refblame::analyzer::testing
