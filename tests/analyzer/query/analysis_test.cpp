// analysis_test.cpp: the driver reads the trace once, and the threaded, sharded and single-threaded analyses give the same answers.
#include "format/reports.hpp"
#include "format/stack_reports.hpp"
#include "page_pool_scenario.hpp"
#include "query/analysis.hpp"
#include "run_passes.hpp"
#include "symbolize/symbolizer.hpp"

#include <string>
#include <vector>

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

// Every report the CLI can print from a whole-trace analysis, as JSON (a fresh symbolizer each time: its
// warnings grow with what it resolved).
std::vector<std::string> reports(const Analysis &a)
{
    Symbolizer sym{SymbolizerOptions{}};
    const TraceSummary &t = a.summary;
    return {blockers_json(t, a.blocked, sym).dump(1), sites_json(t, a.sites, sym).dump(1),
            leaks_json(t, a.leaks, sym, a.findings).dump(1), stats_json(t, a.findings, sym).dump(1),
            balance_json(t, a.site_uses, sym).dump(1)};
}

TEST(Analysis, AttributionInShardsGivesTheReportsOfOneReplay)
{
    testing::PagePoolConfig c;
    c.duration_ns = 400'000'000;
    c.slots = 96;            // many objects, recycled: generations in every shard
    c.life_ns = 40e6;
    c.shared_completion = true;
    c.io_threads = 2;
    testing::Scenario s = testing::page_pool(c);
    // Program bugs for the findings: a get right after some obj_free (use after free).
    std::vector<Event> events;
    int bugs = 0;
    for (const Event &e : s.events) {
        events.push_back(e);
        if (e.op == Op::obj_free && bugs++ % 3 == 0) {
            Event uaf = e;
            uaf.op = Op::mod;
            uaf.val = 1;
            uaf.count = e.count + 1;
            events.push_back(uaf);
        }
    }
    s.events = std::move(events);
    for (std::size_t max_findings : {std::size_t{10000}, std::size_t{3}}) { // the cap keeps the stream's first
        AnalysisOptions one;
        one.threads = 1;
        one.max_findings = max_findings;
        const Analysis single = testing::analyze_events(s.events, one);
        ASSERT_GT(single.blocked.size(), 20u);
        ASSERT_GT(single.leaks.size(), 5u);
        ASSERT_GT(single.summary.findings, 5u);
        const std::vector<std::string> expected = reports(single);
        for (int shards : {2, 3}) {
            AnalysisOptions o = one;
            o.threads = shards;
            const std::vector<std::string> got = reports(testing::analyze_events(s.events, o));
            ASSERT_EQ(got.size(), expected.size());
            for (std::size_t i = 0; i < got.size(); ++i)
                EXPECT_EQ(got[i], expected[i]) << "report " << i << ", " << shards << " shards, cap " << max_findings;
        }
    }
}

} // namespace
} // namespace refblame::analyzer::query
