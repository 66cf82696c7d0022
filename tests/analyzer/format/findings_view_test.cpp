// findings_view_test.cpp: program bugs, process ends, unknown-origin refs and losses as the reports print them.
#include "format/findings_view.hpp"
#include "format/reports.hpp"
#include "format/site_view.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace {

using namespace refblame::analyzer;

Finding finding(FindingKind what, std::uint64_t obj, std::uint64_t time_ns)
{
    Finding f;
    f.what = what;
    f.object = ObjectKey{42, obj, 1};
    f.kind = "page";
    f.time_ns = time_ns;
    f.tid = 43;
    f.site = SiteKey{42, 0x1234, 0};
    f.op = Op::mod;
    f.count = -1;
    return f;
}

class FindingsView : public ::testing::Test {
protected:
    Symbolizer sym{SymbolizerOptions{}};
    TraceSummary t;
    void SetUp() override
    {
        t.trace = "/tmp/trace";
        t.first_ns = 1'000'000'000;
    }
};

TEST_F(FindingsView, JsonListsKindObjectSiteAndTimeOfEachFinding)
{
    std::vector<Finding> f{finding(FindingKind::underflow, 0xa0, 1'500'000'000),
                           finding(FindingKind::double_free, 0xb0, 2'000'000'000)};
    f[1].op = Op::obj_free;
    f[1].holder = 0x77;
    const nlohmann::json j = findings_json(f, sym);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["kind"], "underflow");
    EXPECT_EQ(j[0]["object"], "0xa0");
    EXPECT_EQ(j[0]["pid"], 42);
    EXPECT_EQ(j[0]["generation"], 1);
    EXPECT_EQ(j[0]["object_kind"], "page");
    EXPECT_EQ(j[0]["time_ns"], 1'500'000'000u);
    EXPECT_EQ(j[0]["count"], -1);
    EXPECT_EQ(j[0]["event"], "ref_mod");
    EXPECT_TRUE(j[0]["holder"].is_null());
    EXPECT_EQ(j[0]["site"]["address"], "0x1234");
    EXPECT_EQ(j[1]["kind"], "double_free");
    EXPECT_EQ(j[1]["event"], "obj_free");
    EXPECT_EQ(j[1]["holder"], "0x77");
    EXPECT_NE(j[1]["what"].get<std::string>().find("already freed"), std::string::npos);
}

TEST_F(FindingsView, LeaksAndStatsCarryTheFindings)
{
    std::vector<Finding> f{finding(FindingKind::get_on_frozen, 0xa0, 1'500'000'000)};
    t.findings = 1;
    EXPECT_EQ(leaks_json(t, {}, sym, f)["findings"].size(), 1u);
    const nlohmann::json s = stats_json(t, f, sym);
    EXPECT_EQ(s["findings"].size(), 1u);
    EXPECT_EQ(s["findings_total"], 1);
    EXPECT_EQ(leaks_json(t, {}, sym)["findings"].size(), 0u); // none: an empty list, not a missing key
}

TEST_F(FindingsView, TextHasABugSectionInTimeOrderOnlyWhenThereAreBugs)
{
    EXPECT_EQ(findings_text(t, {}, sym), "");
    EXPECT_EQ(stats_text(t, {}, sym).find("Program bugs found"), std::string::npos);
    std::vector<Finding> f{finding(FindingKind::freed_with_refs, 0xa0, 1'250'000'000)};
    f[0].op = Op::obj_free;
    f[0].count = 2;
    t.findings = 1;
    const std::string out = leaks_text(t, {}, sym, f);
    EXPECT_NE(out.find("Program bugs found: 1"), std::string::npos) << out;
    EXPECT_NE(out.find("freed_with_refs  page 0xa0 (pid 42) at 0.250000 s: count 2 after obj_free"), std::string::npos)
        << out;
    EXPECT_NE(out.find("while references were still counted"), std::string::npos) << out;
}

TEST_F(FindingsView, ARefOfUnknownOriginSaysSoInsteadOfAnAddress)
{
    const SymbolizedSite &s = sym.resolve(42, 0);
    EXPECT_EQ(site_label(s), "unknown (taken before tracing or across a gap)");
    const nlohmann::json j = site_json(s);
    EXPECT_EQ(j["unknown"], "unknown (taken before tracing or across a gap)");
    EXPECT_TRUE(j["function"].is_null());
    HeldRefs h;
    h.refs = 2;
    h.site = SiteKey{42, 0, 0};
    ObjectState o;
    o.object = ObjectKey{42, 0xa0, 0};
    o.count = 2;
    o.holders = {h};
    const std::string text = holders_text(t, o, sym);
    EXPECT_NE(text.find("unknown (taken before tracing or across a gap)"), std::string::npos) << text;
    EXPECT_EQ(text.find("0x0 "), std::string::npos) << text;
}

TEST_F(FindingsView, AbnormalProcessEndsAreInJson)
{
    t.process_ends = {ProcessEnd{42, "/bin/prog", 134, 6}, ProcessEnd{43, "/bin/prog", 0, 0}};
    const nlohmann::json j = stats_json(t, {}, sym);
    ASSERT_EQ(j["process_ends"].size(), 2u);
    EXPECT_EQ(j["process_ends"][0]["abnormal"], true);
    EXPECT_EQ(j["process_ends"][0]["signal"], 6);
    EXPECT_EQ(j["process_ends"][1]["abnormal"], false);
    t.process_ends.clear();
    EXPECT_FALSE(stats_json(t, {}, sym).contains("process_ends"));
}

TEST_F(FindingsView, ManyLossRecordsOfOneProcessAreOneLineOfText)
{
    for (int i = 0; i < 500; ++i) {
        Loss l;
        l.pid = 42;
        l.trace = "/tmp/trace/ust/pid/p-42";
        l.begin_ns = t.first_ns + 1'000'000ull * i;
        l.end_ns = l.begin_ns + 500'000;
        l.count = 10;
        t.losses.push_back(l);
    }
    Loss unread;
    unread.pid = 42;
    unread.trace = "/tmp/trace/ust/pid/p-42";
    t.losses.push_back(unread);
    t.lost_events = 5000;
    const std::string out = stats_text(t, {}, sym);
    EXPECT_NE(out.find("lost in /tmp/trace/ust/pid/p-42 (pid 42): 501 loss records between 0.000000 s and 0.499500 s, "
                       "5000 events; 1 stream file could not be read at all"),
              std::string::npos)
        << out;
    EXPECT_LT(std::count(out.begin(), out.end(), '\n'), 20);
}

} // namespace
