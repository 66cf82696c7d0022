// object_queries_test.cpp: holders of one object at a time (or the end), and its history with pairings.
#include "event_builder.hpp"
#include "run_passes.hpp"
#include "user_error.hpp"

#include <gtest/gtest.h>

namespace refblame::analyzer::testing {
namespace {

constexpr std::uint64_t obj = 0xa000, init_site = 0x10, get_site = 0x20, put_site = 0x28, other_site = 0x30,
                        free_site = 0x70;

query::AnalysisOptions about(std::optional<std::uint64_t> at = std::nullopt, bool history = false)
{
    query::AnalysisOptions o;
    o.object = obj;
    o.at_ns = at;
    o.history = history;
    return o;
}

TEST(Holders, AtATimeShowTheStateBetweenTheEventsAroundIt)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    std::uint64_t t_get = b.get(obj, get_site, 2).time_ns;
    b.advance(1000);
    b.get(obj, other_site, 3);
    query::Analysis a = analyze_events(b.take(), about(t_get + 500));
    ASSERT_EQ(a.holders.size(), 1u);
    const ObjectState &s = a.holders[0];
    EXPECT_EQ(s.time_ns, t_get + 500);
    EXPECT_EQ(s.count, 2);
    ASSERT_EQ(s.holders.size(), 2u);
    for (const HeldRefs &h : s.holders)
        EXPECT_NE(h.site.address, other_site);
}

TEST(Holders, WithoutAtTheyShowTheEndOfTheTrace)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 2);
    b.get(obj, other_site, 3);
    std::uint64_t end = b.now();
    query::Analysis a = analyze_events(b.take(), about());
    ASSERT_EQ(a.holders.size(), 1u);
    EXPECT_EQ(a.holders[0].count, 3);
    EXPECT_EQ(a.holders[0].time_ns, end);
    EXPECT_EQ(a.holders[0].kind, "page");
    EXPECT_FALSE(a.holders[0].freed);
}

TEST(Holders, AtATimeInAnEarlierGenerationShowThatGeneration)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 1);
    std::uint64_t t = b.now();
    b.put(obj, put_site, 1);
    b.put(obj, put_site, 1);
    b.free(obj, free_site, 1);
    b.init(obj, "page", 1, init_site, 1);
    query::Analysis a = analyze_events(b.take(), about(t));
    ASSERT_EQ(a.holders.size(), 1u);
    EXPECT_EQ(a.holders[0].object.generation, 0u);
    EXPECT_EQ(a.holders[0].count, 2);
}

TEST(Holders, OfAFreedObjectAtTheEndSayFreed)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.put(obj, put_site, 1);
    b.free(obj, free_site, 1);
    b.init(0xb000, "page", 1, init_site, 1);
    query::Analysis a = analyze_events(b.take(), about());
    ASSERT_EQ(a.holders.size(), 1u);
    EXPECT_TRUE(a.holders[0].freed);
    EXPECT_EQ(a.holders[0].count, 0);
    EXPECT_TRUE(a.holders[0].holders.empty());
}

TEST(Holders, OfAnObjectNotInTheTraceIsAUserError)
{
    EventBuilder b;
    b.init(0xb000, "page", 1, init_site, 1);
    EXPECT_THROW(analyze_events(b.take(), about()), UserError);
}

TEST(Holders, BeforeTheObjectExistedIsAUserErrorNamingItsFirstEvent)
{
    EventBuilder b;
    b.at(5000).init(obj, "page", 1, init_site, 1);
    try {
        analyze_events(b.take(), about(100));
        FAIL() << "expected a UserError";
    } catch (const UserError &e) {
        EXPECT_NE(std::string(e.what()).find("5001"), std::string::npos) << e.what();
    }
}

TEST(Holders, TwoProcessesWithTheSameAddressAreTwoObjectsAndPidSelectsOne)
{
    EventBuilder p1(100), p2(200);
    p1.init(obj, "page", 1, init_site, 1);
    p2.at(p1.now() + 10).init(obj, "page", 3, init_site, 2);
    std::vector<Event> events = p1.take();
    for (const Event &e : p2.take())
        events.push_back(e);
    query::Analysis both = analyze_events(events, about());
    ASSERT_EQ(both.holders.size(), 2u);
    query::AnalysisOptions o = about();
    o.pid = 200;
    query::Analysis one = analyze_events(events, o);
    ASSERT_EQ(one.holders.size(), 1u);
    EXPECT_EQ(one.holders[0].object.pid, 200);
    EXPECT_EQ(one.holders[0].count, 3);
}

TEST(History, ListsEveryEventWithGenerationAndWhichGetEachPutWasPairedWith)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    std::uint64_t t_get = b.get(obj, get_site, 2, 0x111).time_ns;
    b.put(obj, put_site, 3, 0x111);
    b.put(obj, put_site, 1);
    b.free(obj, free_site, 1);
    b.init(obj, "page", 0, init_site, 1);
    query::Analysis a = analyze_events(b.take(), about(std::nullopt, true));
    ASSERT_EQ(a.history.size(), 6u);
    EXPECT_EQ(a.history[0].event.kind, "page");
    EXPECT_FALSE(a.history[1].paired_with);
    ASSERT_TRUE(a.history[2].paired_with);
    EXPECT_EQ(a.history[2].paired_with->address, get_site);
    EXPECT_EQ(a.history[2].pairing, Confidence::exact);
    EXPECT_EQ(a.history[2].paired_get_ns, t_get);
    EXPECT_EQ(a.history[2].paired_get_tid, 2);
    ASSERT_TRUE(a.history[3].paired_with);
    EXPECT_EQ(a.history[3].paired_with->address, init_site); // forced: the only ref left
    EXPECT_EQ(a.history[3].pairing, Confidence::inferred);
    EXPECT_EQ(a.history[4].generation, 0u);
    EXPECT_EQ(a.history[5].generation, 1u);
    for (const HistoryEntry &h : a.history)
        EXPECT_FALSE(h.continuity_break);
}

TEST(History, MarksTheEventWhereContinuityBroke)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 1);
    std::vector<Event> events = b.take();
    events.back().count = 4; // two gets lost before it
    query::Analysis a = analyze_events(events, about(std::nullopt, true));
    ASSERT_EQ(a.history.size(), 2u);
    EXPECT_FALSE(a.history[0].continuity_break);
    EXPECT_TRUE(a.history[1].continuity_break);
    EXPECT_TRUE(a.history[1].uncertain);
}

} // namespace
} // namespace refblame::analyzer::testing
