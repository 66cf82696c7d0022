// sites_summary_test.cpp: per-site gets/puts/outstanding/hold times, and the trace-wide numbers of stats.
#include "event_builder.hpp"
#include "run_passes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace refblame::analyzer::testing {
namespace {

constexpr std::uint64_t init_site = 0x10, get_site = 0x20, put_site = 0x28, free_site = 0x70;

const SiteStats &site_of(const query::Analysis &a, std::uint64_t address)
{
    for (const SiteStats &s : a.sites)
        if (s.site.address == address)
            return s;
    throw std::runtime_error("site not reported");
}

TEST(HoldHistogram, PutsEveryHoldInTheBucketOfFourTimesItsLog2)
{
    std::mt19937_64 rng(7);
    std::vector<std::uint64_t> holds = {0, 1, 2, 3, 4, 5, 1000, 999'999, UINT64_MAX, UINT64_MAX - 1};
    for (int shift = 0; shift < 64; ++shift) // around every power of two and every quarter-doubling step
        for (double q : {1.0, 1.189207115, 1.414213562, 1.681792831})
            for (std::int64_t d = -3; d <= 3; ++d) {
                const double v = std::ldexp(q, shift) + static_cast<double>(d);
                if (v >= 0 && v < 1.8e19)
                    holds.push_back(static_cast<std::uint64_t>(v));
            }
    for (int i = 0; i < 100000; ++i)
        holds.push_back(rng() >> (rng() % 64));
    for (std::uint64_t h : holds) {
        HoldHistogram hist;
        hist.add(h, 1);
        const double b = 4.0 * std::log2(static_cast<double>(h) + 1.0); // the definition, in report.hpp
        const std::size_t expected = std::min<std::size_t>(static_cast<std::size_t>(b), HoldHistogram::size - 1);
        ASSERT_EQ(hist.buckets[expected], 1u) << "hold " << h;
    }
}

TEST(Sites, CountGetsPutsOutstandingAndHoldTimes)
{
    EventBuilder b;
    b.init(0xa000, "page", 0, init_site, 1);
    for (std::uint64_t hold : {100'000u, 300'000u, 500'000u}) {
        b.get(0xa000, get_site, 1);
        b.advance(hold - 1);
        b.put(0xa000, put_site, 1);
    }
    b.get(0xa000, get_site, 1); // still held at the end
    query::Analysis a = analyze_events(b.take());
    const SiteStats &s = site_of(a, get_site);
    EXPECT_EQ(s.gets, 4u);
    EXPECT_EQ(s.puts, 3u);
    EXPECT_EQ(s.outstanding, 1u);
    EXPECT_EQ(s.hold_ns_max, 500'000u);
    EXPECT_EQ(s.hold_ns_total, 900'000u);
    EXPECT_NEAR(static_cast<double>(s.hold_ns_median), 300'000.0, 30'000.0);
}

TEST(Summary, CountsEventsByOpProcessesThreadsObjectsAndTimeRange)
{
    EventBuilder p1(100, 1000), p2(200, 5000);
    p1.init(0xa000, "page", 1, init_site, 1);
    p1.get(0xa000, get_site, 2);
    p1.put(0xa000, put_site, 2);
    p1.put(0xa000, put_site, 1);
    p1.free(0xa000, free_site, 1);
    p1.init(0xa000, "page", 1, init_site, 1);
    p2.init(0xb000, "inode", 1, init_site, 7);
    std::vector<Event> events = p1.take();
    for (const Event &e : p2.take())
        events.push_back(e);
    query::Analysis a = analyze_events(events);
    const TraceSummary &s = a.summary;
    EXPECT_EQ(s.events, 7u);
    EXPECT_EQ(s.events_by_op[static_cast<int>(Op::obj_init)], 3u);
    EXPECT_EQ(s.events_by_op[static_cast<int>(Op::mod_and_test)], 2u);
    EXPECT_EQ(s.processes, 2u);
    EXPECT_EQ(s.threads, 3u);
    EXPECT_EQ(s.objects, 3u); // generations
    EXPECT_EQ(s.addresses, 2u);
    EXPECT_EQ(s.first_ns, 1001u);
    EXPECT_EQ(s.last_ns, 5001u);
    EXPECT_EQ(s.lost_events, 0u);
    EXPECT_EQ(s.uncertain_objects, 0u);
    EXPECT_TRUE(s.warnings.empty());
}

TEST(Summary, ThePidFilterReplaysOnlyThatProcess)
{
    EventBuilder p1(100, 1000), p2(200, 5000);
    p1.init(0xa000, "page", 1, init_site, 1);
    p1.get(0xa000, get_site, 1);
    p2.init(0xb000, "page", 1, init_site, 2);
    std::vector<Event> events = p1.take();
    for (const Event &e : p2.take())
        events.push_back(e);
    query::AnalysisOptions o;
    o.pid = 200;
    query::Analysis a = analyze_events(events, o);
    EXPECT_EQ(a.summary.events, 1u);
    EXPECT_EQ(a.summary.processes, 1u);
    for (const SiteStats &s : a.sites)
        EXPECT_EQ(s.site.pid, 200);
}

} // namespace
} // namespace refblame::analyzer::testing
