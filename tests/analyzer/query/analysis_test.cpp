// analysis_test.cpp: the driver reads the trace once, and the threaded and single-threaded analyses give the same answers.
#include "page_pool_scenario.hpp"
#include "query/analysis.hpp"
#include "run_passes.hpp"

#include <gtest/gtest.h>

namespace refblame::analyzer::query {
namespace {

TEST(Analysis, ReadsTheTraceOnceWhateverTheLearningReplays)
{
    testing::PagePoolConfig c;
    c.duration_ns = 200'000'000;
    testing::Scenario s = testing::page_pool(c);
    for (int learn : {1, 3}) {
        int reads = 0;
        AnalysisOptions o;
        o.learn_passes = learn;
        Analysis a = analyze(
            [&](EventSink &sink) {
                ++reads;
                testing::replay_of(s.events)(sink);
            },
            o);
        EXPECT_EQ(reads, 1) << learn << " learning replays";
        EXPECT_EQ(a.summary.events, s.events.size());
    }
}

TEST(Analysis, OneThreadAndTwoGiveTheSameHolders)
{
    testing::PagePoolConfig c;
    c.duration_ns = 300'000'000;
    c.shared_completion = true;
    testing::Scenario s = testing::page_pool(c);
    AnalysisOptions one, two;
    one.threads = 1;
    two.threads = 2;
    Analysis a = testing::analyze_events(s.events, one), b = testing::analyze_events(s.events, two);
    ASSERT_EQ(a.blocked.size(), b.blocked.size());
    ASSERT_GT(a.blocked.size(), 10u);
    for (std::size_t i = 0; i < a.blocked.size(); ++i) {
        ASSERT_EQ(a.blocked[i].holders.size(), b.blocked[i].holders.size()) << "freeze " << i;
        for (std::size_t k = 0; k < a.blocked[i].holders.size(); ++k) {
            EXPECT_EQ(a.blocked[i].holders[k].site, b.blocked[i].holders[k].site);
            EXPECT_EQ(a.blocked[i].holders[k].refs, b.blocked[i].holders[k].refs);
            EXPECT_EQ(a.blocked[i].holders[k].confidence, b.blocked[i].holders[k].confidence);
        }
    }
    EXPECT_EQ(a.summary.events, b.summary.events);
}

} // namespace
} // namespace refblame::analyzer::query
