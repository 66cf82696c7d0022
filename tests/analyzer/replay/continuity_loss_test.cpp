// continuity_loss_test.cpp: gaps make only the affected objects uncertain (never exact); ties from two CPUs are reordered.
#include "event_builder.hpp"
#include "run_passes.hpp"

#include <gtest/gtest.h>

namespace refblame::analyzer::testing {
namespace {

constexpr std::uint64_t a_obj = 0xa000, b_obj = 0xb000, init_site = 0x10, get_site = 0x20, put_site = 0x30,
                        freeze_site = 0x40;

const ObjectState &state_of(const query::Analysis &a)
{
    EXPECT_EQ(a.holders.size(), 1u);
    return a.holders.at(0);
}

TEST(ContinuityLoss, AGapMakesTheObjectUncertainAndNoHolderExact)
{
    EventBuilder b;
    b.init(a_obj, "page", 0, init_site, 1);
    b.get(a_obj, get_site, 1, 0x111);
    b.get(a_obj, get_site, 1, 0x222);
    std::vector<Event> events = b.take();
    Event lost_then = events.back(); // a tracked get whose event was lost, then another one
    lost_then.time_ns += 10;
    lost_then.holder = 0x333;
    lost_then.count = 4;
    events.push_back(lost_then);
    Event freeze = lost_then;
    freeze.time_ns += 10;
    freeze.op = Op::freeze;
    freeze.val = 1;
    freeze.ret = 0;
    freeze.caller = freeze_site;
    events.push_back(freeze);

    query::AnalysisOptions o;
    o.object = a_obj;
    query::Analysis a = analyze_events(events, o);
    const ObjectState &s = state_of(a);
    EXPECT_TRUE(s.uncertain);
    EXPECT_EQ(s.count, 4);
    int refs = 0;
    for (const HeldRefs &h : s.holders) {
        EXPECT_NE(h.confidence, Confidence::exact);
        EXPECT_TRUE(h.uncertain);
        refs += h.refs;
    }
    EXPECT_EQ(refs, 4);
    ASSERT_EQ(a.blocked.size(), 1u);
    EXPECT_TRUE(a.blocked[0].uncertain);
    for (const HeldRefs &h : a.blocked[0].holders) {
        EXPECT_TRUE(h.uncertain);
        EXPECT_NE(h.confidence, Confidence::exact);
    }
    EXPECT_EQ(a.summary.uncertain_objects, 1u);
    EXPECT_EQ(a.summary.continuity_breaks, 1u);
    ASSERT_EQ(a.summary.warnings.size(), 1u); // no loss recorded: says the count did not follow
    EXPECT_NE(a.summary.warnings[0].find("did not follow"), std::string::npos);
}

TEST(ContinuityLoss, ObjectsUntouchedByALossKeepTheirExactAnswer)
{
    EventBuilder b;
    b.init(a_obj, "page", 0, init_site, 1);
    b.init(b_obj, "page", 0, init_site, 2);
    b.get(a_obj, get_site, 1, 0x111);
    b.get(a_obj, get_site, 1, 0x333); // A is touched only before the loss
    b.get(b_obj, get_site, 2, 0x222);
    std::uint64_t gap = b.now() + 1;
    b.advance(1000);
    b.get(b_obj, get_site, 2, 0x444);
    std::vector<Event> events = b.take();
    events.back().count += 1; // one of B's gets was lost in the gap
    Loss loss;
    loss.pid = 4242;
    loss.begin_ns = gap;
    loss.end_ns = gap + 500;
    loss.count = 1;
    std::vector<Loss> losses{loss};

    query::AnalysisOptions oa;
    oa.object = a_obj;
    query::Analysis a = analyze_events(events, oa, losses);
    EXPECT_FALSE(state_of(a).uncertain);
    for (const HeldRefs &h : state_of(a).holders)
        EXPECT_EQ(h.confidence, Confidence::exact);
    EXPECT_EQ(a.summary.lost_events, 1u);
    EXPECT_EQ(a.summary.uncertain_objects, 1u);
    ASSERT_FALSE(a.summary.warnings.empty());
    EXPECT_NE(a.summary.warnings[0].find("discarded"), std::string::npos);

    query::AnalysisOptions ob;
    ob.object = b_obj;
    query::Analysis bb = analyze_events(events, ob, losses);
    EXPECT_TRUE(state_of(bb).uncertain);
    for (const HeldRefs &h : state_of(bb).holders)
        EXPECT_NE(h.confidence, Confidence::exact);
}

// A lost get by holder B and put by holder A keep the count continuous, and would leave A's stale
// reference looking exact: an object operated on both before and after a loss is uncertain anyway.
TEST(ContinuityLoss, ACountNeutralLossBetweenTwoEventsOfAnObjectMakesItUncertain)
{
    EventBuilder b;
    b.init(a_obj, "page", 1, init_site, 1);
    b.get(a_obj, get_site, 1, 0x111);
    std::uint64_t gap = b.now() + 1;
    b.advance(1000);
    b.get(a_obj, get_site, 1, 0x222); // lost
    b.put(a_obj, put_site, 1, 0x111); // lost
    b.advance(1000);
    b.freeze(a_obj, 1, freeze_site, 1);
    std::vector<Event> events = b.take();
    events.erase(events.begin() + 2, events.begin() + 4);
    Loss loss;
    loss.pid = 4242;
    loss.begin_ns = gap;
    loss.end_ns = gap + 1500;
    loss.count = 2;

    query::AnalysisOptions o;
    o.object = a_obj;
    query::Analysis a = analyze_events(events, o, {loss});
    EXPECT_EQ(a.summary.continuity_breaks, 0u); // the counts cannot tell
    ASSERT_EQ(a.blocked.size(), 1u);
    EXPECT_TRUE(a.blocked[0].uncertain);
    for (const HeldRefs &h : a.blocked[0].holders) {
        EXPECT_TRUE(h.uncertain);
        EXPECT_NE(h.confidence, Confidence::exact); // 0x111 no longer holds it
    }
    EXPECT_EQ(a.summary.uncertain_objects, 1u);

    // The same object with the loss in another process keeps its exact answer.
    loss.pid = 777;
    query::Analysis other = analyze_events(events, o, {loss});
    ASSERT_EQ(other.blocked.size(), 1u);
    EXPECT_FALSE(other.blocked[0].uncertain);
}

TEST(ContinuityLoss, TiedEventsFromTwoCpusArePutBackInOrderByTheirCounts)
{
    EventBuilder b;
    b.init(a_obj, "page", 1, init_site, 1);
    b.get(a_obj, get_site, 1);
    Event &inc = b.get(a_obj, get_site + 1, 2); // count 3 on CPU 0
    std::uint64_t t = inc.time_ns;
    Event &dec = b.put(a_obj, put_site, 3); // count 2 on CPU 1, timestamped first
    dec.time_ns = t;
    std::vector<Event> events = b.take();
    std::swap(events[2], events[3]);
    query::AnalysisOptions o;
    o.object = a_obj;
    query::Analysis a = analyze_events(events, o);
    EXPECT_EQ(a.summary.continuity_breaks, 0u);
    EXPECT_EQ(a.summary.reordered_events, 1u);
    EXPECT_FALSE(state_of(a).uncertain);
    EXPECT_EQ(state_of(a).count, 2);
}

TEST(ContinuityLoss, AnUnresolvableGapBecomesABreakWhenTheReorderWindowPasses)
{
    EventBuilder b;
    b.init(a_obj, "page", 1, init_site, 1);
    Event &jump = b.get(a_obj, get_site, 1);
    jump.count = 5; // three gets were lost
    b.advance(50'000'000); // well past the reorder window
    b.init(b_obj, "page", 1, init_site, 2);
    b.at(b.now()).get(a_obj, get_site, 1).count = 6;
    std::vector<Event> events = b.take();
    events.back().count = 6;
    query::AnalysisOptions o;
    o.object = a_obj;
    query::Analysis a = analyze_events(events, o);
    EXPECT_EQ(a.summary.continuity_breaks, 1u); // the later event follows the resynchronized count
    EXPECT_TRUE(state_of(a).uncertain);
    EXPECT_EQ(state_of(a).count, 6);
    int refs = 0, unknown = 0;
    for (const HeldRefs &h : state_of(a).holders) {
        refs += h.refs;
        if (h.site.address == 0)
            unknown += h.refs;
    }
    EXPECT_EQ(refs, 6);
    EXPECT_EQ(unknown, 3);
}

TEST(ContinuityLoss, AWrappedAroundLossCountIsNotAddedButStillWarned)
{
    EventBuilder b;
    b.init(a_obj, "page", 1, init_site, 1);
    Loss loss;
    loss.pid = 4242;
    loss.count = ~std::uint64_t{0} - 41; // 2^64 - 42, as babeltrace2 2.0 printed for per-PID streams
    query::Analysis a = analyze_events(b.take(), {}, {loss});
    EXPECT_EQ(a.summary.lost_events, 0u);
    ASSERT_EQ(a.summary.losses.size(), 1u);
    ASSERT_FALSE(a.summary.warnings.empty());
    EXPECT_NE(a.summary.warnings[0].find("implausible"), std::string::npos);
    EXPECT_EQ(a.summary.uncertain_objects, 0u);
}

} // namespace
} // namespace refblame::analyzer::testing
