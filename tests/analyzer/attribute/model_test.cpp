// model_test.cpp: the learned pairing model: hazards, capacity, hold times, freeze presence, leak ratio.
#include "attribute/learner.hpp"
#include "attribute/pairing_model.hpp"
#include "event_builder.hpp"
#include "run_passes.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace refblame::analyzer::attribute {
namespace {

SiteKey site(std::uint64_t a)
{
    return SiteKey{1, a, 0};
}

TEST(PairingModel, ARefOpenAtManyPutsButReleasedByFewHasALowHazard)
{
    PairingModel m;
    std::uint32_t base = m.intern(site(0x10)), map = m.intern(site(0x20)), unmap = m.intern(site(0x28));
    m.site(unmap).puts = 100;
    PairStats &b = m.pair(base, unmap);
    b.exposure = 100; // open at every unmap...
    b.paired = 1;     // ...and released by one of them
    b.same_thread = 1;
    b.capacity = 100;
    PairStats &p = m.pair(map, unmap);
    p.exposure = 100;
    p.paired = 99;
    p.same_thread = 99;
    p.capacity = 100;
    EXPECT_GT(m.weight(map, unmap, false, 1000, true), 20 * m.weight(base, unmap, true, 1000, true));
}

TEST(PairingModel, ASiteThatCannotSupplyThePutsIsDemotedBeforeAnyPairingEvidence)
{
    PairingModel m;
    std::uint32_t lru = m.intern(site(0x10)), map = m.intern(site(0x20)), unmap = m.intern(site(0x28));
    m.site(unmap).puts = 50;
    m.pair(lru, unmap).capacity = 1; // one LRU get per object could only cover the first unmap
    m.pair(map, unmap).capacity = 50;
    EXPECT_GT(m.weight(map, unmap, false, 1000, true), 5 * m.weight(lru, unmap, false, 1000, true));
}

TEST(PairingModel, TheUsualHoldTimeWinsOverAnUnusualOne)
{
    PairingModel m;
    std::uint32_t a = m.intern(site(0x20)), r = m.intern(site(0x28));
    PairStats &p = m.pair(a, r);
    for (int i = 0; i < 20; ++i) { // holds of about 1 ms
        double x = std::log(1e6 + 1 + i * 1e4);
        p.hold_weight += 1;
        p.hold_sum += x;
        p.hold_sq += x * x;
    }
    p.paired = p.exposure = 20;
    EXPECT_GT(m.weight(a, r, false, 1'000'000, true), 50 * m.weight(a, r, false, 1'000'000'000, true));
}

TEST(PairingModel, UnknownSitesGetTheNeutralPriorAndBaseRefsLess)
{
    PairingModel m;
    double anonymous = m.weight(std::nullopt, std::nullopt, false, 10, true);
    double base = m.weight(std::nullopt, std::nullopt, true, 10, true);
    EXPECT_GT(anonymous, 0);
    EXPECT_GT(anonymous, 2 * base);
}

TEST(Learner, LearnsWhichSitesRefsAreNeverReleased)
{
    testing::EventBuilder b(1);
    for (std::uint64_t obj = 0xa0; obj < 0xa0 + 5 * 8; obj += 8) { // five objects, each leaked once
        b.init(obj, "page", 1, 0x10, 1);
        b.get(obj, 0x50, 1);
        for (int i = 0; i < 10; ++i) {
            b.get(obj, 0x20, 1);
            b.advance(1000);
            b.put(obj, 0x28, 1);
        }
    }
    query::AnalysisOptions o;
    PairingModel m = query::learn(testing::replay_of(b.events()), o).younger_first;
    ASSERT_TRUE(m.leak_ratio(site(0x50)).has_value());
    // The first puts, decided before anything was learned, put some belief on the leak.
    EXPECT_GT(*m.leak_ratio(site(0x50)), 0.7);
    EXPECT_LT(*m.leak_ratio(site(0x20)), 0.05);
    auto map = m.find(site(0x20)), unmap = m.find(site(0x28));
    ASSERT_TRUE(map && unmap);
    EXPECT_GT(m.evidence(map, unmap), 45.0);
    EXPECT_DOUBLE_EQ(m.site(*unmap).puts, 50.0);
}

TEST(Learner, ASecondLearningReplayDecidesWithTheFirstModelAndReadsTheTraceOnce)
{
    testing::EventBuilder b(1);
    b.init(0xa0, "page", 1, 0x10, 1);
    for (int i = 0; i < 10; ++i) {
        b.get(0xa0, 0x20, 1);
        b.put(0xa0, 0x28, 1);
    }
    query::AnalysisOptions o;
    o.learn_passes = 2;
    int passes = 0;
    auto counting = [&](EventSink &sink) {
        ++passes;
        testing::replay_of(b.events())(sink);
    };
    PairingModel m = query::learn(counting, o).oldest_first;
    EXPECT_EQ(passes, 1); // the trace is read once: both learning replays read the analysis's spill
    EXPECT_GT(m.evidence(m.find(site(0x20)), m.find(site(0x28))), 9.0);
}

} // namespace
} // namespace refblame::analyzer::attribute
