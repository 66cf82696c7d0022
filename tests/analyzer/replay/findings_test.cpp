// findings_test.cpp: bugs of the traced program are findings with their site, not analyzer errors.
#include "event_builder.hpp"
#include "run_passes.hpp"

#include <gtest/gtest.h>

#include <tuple>

namespace refblame::analyzer::testing {
namespace {

constexpr std::uint64_t obj = 0xa000, init_site = 0x10, get_site = 0x20, put_site = 0x30, bad_site = 0x99,
                        freeze_site = 0x40, free_site = 0x50;

// The findings of the full analysis; `stats` (no pairing) must find exactly the same and count the same.
std::vector<Finding> findings_of(std::vector<Event> events)
{
    query::Analysis full = analyze_events(events);
    query::AnalysisOptions counting;
    counting.attribute = false;
    query::Analysis counted = analyze_events(events, counting);
    EXPECT_EQ(counted.findings.size(), full.findings.size());
    for (std::size_t i = 0; i < full.findings.size() && i < counted.findings.size(); ++i) {
        EXPECT_EQ(counted.findings[i].what, full.findings[i].what);
        EXPECT_EQ(counted.findings[i].site, full.findings[i].site);
        EXPECT_EQ(counted.findings[i].time_ns, full.findings[i].time_ns);
        EXPECT_EQ(counted.findings[i].count, full.findings[i].count);
    }
    const TraceSummary &a = full.summary, &b = counted.summary;
    EXPECT_EQ(std::tie(a.events, a.objects, a.uncertain_objects, a.findings, a.continuity_breaks, a.threads),
              std::tie(b.events, b.objects, b.uncertain_objects, b.findings, b.continuity_breaks, b.threads));
    return full.findings;
}

TEST(Findings, APutWithoutAGetIsAnUnderflowAtThePutSite)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.put(obj, put_site, 1);
    b.put(obj, bad_site, 2); // count -1
    auto f = findings_of(b.take());
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].what, FindingKind::underflow);
    EXPECT_EQ(f[0].site.address, bad_site);
    EXPECT_EQ(f[0].tid, 2);
    EXPECT_EQ(f[0].count, -1);
    EXPECT_EQ(f[0].kind, "page");
}

TEST(Findings, AGetOnAFrozenObjectIsReported)
{
    EventBuilder b;
    b.init(obj, "page", 2, init_site, 1);
    b.freeze(obj, 2, freeze_site, 3);
    b.get(obj, bad_site, 4); // should have been get_page_unless_zero
    auto f = findings_of(b.take());
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].what, FindingKind::get_on_frozen);
    EXPECT_EQ(f[0].site.address, bad_site);
}

TEST(Findings, AGetFromZeroThatIsNotFrozenIsNotAFinding)
{
    EventBuilder b;
    b.init(obj, "object", 0, init_site, 1); // ref_counted starts at zero: the first ref_ptr gets from 0
    b.get(obj, get_site, 1, 0x111);
    EXPECT_TRUE(findings_of(b.take()).empty());
}

TEST(Findings, FreeingAnObjectWithRefsHeldIsReportedAndItsRefsLeak)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 1);
    b.free(obj, bad_site, 1);
    query::Analysis a = analyze_events(b.take());
    ASSERT_EQ(a.findings.size(), 1u);
    EXPECT_EQ(a.findings[0].what, FindingKind::freed_with_refs);
    EXPECT_EQ(a.findings[0].site.address, bad_site);
    EXPECT_EQ(a.findings[0].count, 2);
    ASSERT_EQ(a.leaks.size(), 1u);
    EXPECT_TRUE(a.leaks[0].state.freed);
}

TEST(Findings, ADoubleFreeIsReported)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.put(obj, put_site, 1);
    b.free(obj, free_site, 1);
    b.free(obj, bad_site, 2);
    auto f = findings_of(b.take());
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].what, FindingKind::double_free);
    EXPECT_EQ(f[0].site.address, bad_site);
}

TEST(Findings, AnOpAfterFreeWithoutObjInitIsReportedOnce)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.put(obj, put_site, 1);
    b.free(obj, free_site, 1);
    b.get(obj, bad_site, 2);
    b.put(obj, put_site, 2);
    b.get(obj, bad_site, 2);
    auto f = findings_of(b.take());
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].what, FindingKind::use_after_free);
    EXPECT_EQ(f[0].site.address, bad_site);
}

TEST(Findings, ObjInitAfterObjFreeIsNotAFinding)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.put(obj, put_site, 1);
    b.free(obj, free_site, 1);
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 1);
    EXPECT_TRUE(findings_of(b.take()).empty());
}

TEST(Findings, ReinitializingALiveObjectThatHoldsRefsIsReported)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 1);
    b.init(obj, "page", 1, bad_site, 1);
    query::Analysis a = analyze_events(b.take());
    ASSERT_EQ(a.findings.size(), 1u);
    EXPECT_EQ(a.findings[0].what, FindingKind::reinit_with_refs);
    EXPECT_EQ(a.findings[0].site.address, bad_site);
    EXPECT_EQ(a.summary.findings, 1u);
}

TEST(Findings, FindingsPastTheCapAreCountedAndWarned)
{
    EventBuilder b;
    b.init(obj, "page", 0, init_site, 1);
    for (int i = 0; i < 5; ++i)
        b.put(obj, bad_site, 1);
    query::AnalysisOptions o;
    o.max_findings = 2;
    query::Analysis a = analyze_events(b.take(), o);
    EXPECT_EQ(a.findings.size(), 2u);
    EXPECT_EQ(a.summary.findings, 5u);
    ASSERT_FALSE(a.summary.warnings.empty());
    EXPECT_NE(a.summary.warnings.back().find("3 more"), std::string::npos);
}

} // namespace
} // namespace refblame::analyzer::testing
