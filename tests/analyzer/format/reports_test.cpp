// reports_test.cpp: JSON and text answers follow DESIGN.md's schema, rank blocking sites, merge per-process addresses, and mark uncertainty.
#include "format/ranking.hpp"
#include "format/reports.hpp"
#include "format/site_view.hpp"

#include <gtest/gtest.h>
#include <link.h>
#include <unistd.h>

#include <climits>
#include <string>

namespace {

using namespace refblame::analyzer;

// Two functions of this test program stand for acquire sites.
__attribute__((noinline)) int leaky_site() { return 1; }
__attribute__((noinline)) int normal_site() { return 2; }

std::uint64_t load_bias()
{
    std::uint64_t bias = 0;
    dl_iterate_phdr(
        [](dl_phdr_info *info, size_t, void *data) {
            *static_cast<std::uint64_t *>(data) = info->dlpi_addr;
            return 1;
        },
        &bias);
    return bias;
}

// What `write` writes to a file.
template <class Write>
std::string written(Write write)
{
    std::FILE *f = std::tmpfile();
    if (!f)
        return "tmpfile() failed";
    write(f);
    std::string out(static_cast<std::size_t>(std::ftell(f)), '\0');
    std::rewind(f);
    out.resize(std::fread(out.data(), 1, out.size(), f));
    std::fclose(f);
    return out;
}

class Reports : public ::testing::Test {
protected:
    // Larger than this test program's mapping, sanitized Debug builds included.
    static constexpr std::uint64_t span = std::uint64_t(1) << 30;

    void SetUp() override
    {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        ASSERT_GT(n, 0);
        exe[n] = 0;
        // The same executable mapped in two processes at different bases.
        for (auto [pid, base] : {std::pair{100, load_bias()}, std::pair{200, load_bias() + span}}) {
            ModuleEvent m;
            m.kind = ModuleEvent::Kind::bin_info;
            m.pid = pid;
            m.baddr = base;
            m.memsz = span;
            m.path = exe;
            m.is_pic = true;
            sym.on_module(m);
        }
        summary.trace = "/tmp/some-trace";
        summary.events = 1234;
        summary.first_ns = 1000;
    }

    // A return address just after the start of fn, in process pid.
    SiteKey site(int (*fn)(), std::int32_t pid)
    {
        std::uint64_t a = reinterpret_cast<std::uint64_t>(fn) + 1;
        if (pid == 200)
            a += span;
        return SiteKey{pid, a, 0};
    }

    HeldRefs held(SiteKey s, int refs, bool expected, Confidence c = Confidence::inferred)
    {
        HeldRefs h;
        h.site = s;
        h.refs = refs;
        h.tid = s.pid;
        h.since_ns = 1500;
        h.confidence = c;
        h.expected = expected;
        return h;
    }

    Blocked blocked(std::int32_t pid, std::uint64_t obj, std::vector<HeldRefs> holders)
    {
        Blocked b;
        b.object = ObjectKey{pid, obj, 0};
        b.kind = "page";
        b.time_ns = 2000;
        b.expected = 1;
        for (const HeldRefs &h : holders)
            b.count += h.refs;
        b.freeze_site = site(&normal_site, pid);
        b.holders = std::move(holders);
        return b;
    }

    Symbolizer sym;
    TraceSummary summary;
};

TEST_F(Reports, BlockersJsonHasTheContractFieldsAndRanksTheExtraHolderFirst)
{
    std::vector<Blocked> list = {
        blocked(100, 0x1000, {held(site(&normal_site, 100), 1, true), held(site(&leaky_site, 100), 2, false)}),
        blocked(200, 0x2000, {held(site(&normal_site, 200), 1, true), held(site(&leaky_site, 200), 1, false)}),
    };
    nlohmann::json j = blockers_json(summary, list, sym);
    EXPECT_EQ(j["trace"], "/tmp/some-trace");
    EXPECT_EQ(j["events"], 1234);
    EXPECT_EQ(j["lost_events"], 0);
    ASSERT_EQ(j["blocked"].size(), 2u);
    const auto &b = j["blocked"][0];
    EXPECT_EQ(b["pid"], 100);
    EXPECT_EQ(b["object"], "0x1000");
    EXPECT_EQ(b["kind"], "page");
    EXPECT_EQ(b["expected"], 1);
    EXPECT_EQ(b["count"], 3);
    EXPECT_FALSE(b.contains("uncertain"));
    ASSERT_EQ(b["holders"].size(), 2u);
    const auto &h = b["holders"][1];
    EXPECT_EQ(h["refs"], 2);
    EXPECT_EQ(h["confidence"], "inferred");
    EXPECT_TRUE(h["holder"].is_null());
    EXPECT_EQ(h["site"]["function"].get<std::string>().find("leaky_site") != std::string::npos, true);
    EXPECT_EQ(h["site"]["file"].get<std::string>().find("reports_test.cpp") != std::string::npos, true);
    EXPECT_GT(h["site"]["line"].get<int>(), 0);
    // Two processes, one source line: one ranked site, blocking both freezes.
    ASSERT_EQ(j["sites"].size(), 1u);
    EXPECT_EQ(j["sites"][0]["blocked"], 2);
    EXPECT_EQ(j["sites"][0]["refs"], 3);
    EXPECT_NE(j["sites"][0]["site"]["function"].get<std::string>().find("leaky_site"), std::string::npos);
}

TEST_F(Reports, RankingCountsASiteOncePerFreezeAndIgnoresExpectedRefs)
{
    std::vector<Blocked> list = {
        blocked(100, 0x1, {held(site(&leaky_site, 100), 1, false), held(site(&leaky_site, 100), 1, false)}),
        blocked(100, 0x2, {held(site(&normal_site, 100), 5, false)}),
        blocked(100, 0x3, {held(site(&leaky_site, 100), 1, false), held(site(&normal_site, 100), 9, true)}),
    };
    auto ranked = rank_blocking_sites(list, sym);
    ASSERT_EQ(ranked.size(), 2u);
    EXPECT_NE(ranked[0].site.function.find("leaky_site"), std::string::npos);
    EXPECT_EQ(ranked[0].blocked, 2u);
    EXPECT_EQ(ranked[0].refs, 3u);
    EXPECT_EQ(ranked[1].blocked, 1u);
    EXPECT_EQ(ranked[1].refs, 5u);
}

TEST_F(Reports, UncertaintyIsMarkedInJsonAndText)
{
    Blocked b = blocked(100, 0x1, {held(site(&leaky_site, 100), 1, false)});
    b.uncertain = true;
    b.holders[0].uncertain = true;
    summary.lost_events = 7;
    nlohmann::json j = blockers_json(summary, {b}, sym);
    EXPECT_EQ(j["lost_events"], 7);
    EXPECT_EQ(j["blocked"][0]["uncertain"], true);
    EXPECT_EQ(j["blocked"][0]["holders"][0]["uncertain"], true);
    EXPECT_EQ(j["sites"][0]["uncertain"], true);
    std::string text = blockers_text(summary, {b}, sym);
    EXPECT_NE(text.find("lost events"), std::string::npos) << text;
    EXPECT_NE(text.find("[uncertain"), std::string::npos) << text;
}

TEST_F(Reports, UnresolvedSitesShowModulePlusOffset)
{
    HeldRefs h = held(SiteKey{999, 0x4242, 0}, 1, false); // a pid with no module map
    nlohmann::json j = holder_json(h, sym);
    EXPECT_TRUE(j["site"]["function"].is_null());
    EXPECT_EQ(j["site"]["address"], "0x4242");
    std::string text = blockers_text(summary, {blocked(999, 0x1, {h})}, sym);
    EXPECT_NE(text.find("0x4242"), std::string::npos) << text;
}

TEST_F(Reports, LeaksJsonGroupsBySiteAndCountsFreedObjects)
{
    LeakedObject a, b;
    a.state.object = ObjectKey{100, 0x10, 0};
    a.state.kind = "buf";
    a.state.count = 2;
    a.state.freed = true;
    a.state.holders = {held(site(&leaky_site, 100), 2, false)};
    b.state.object = ObjectKey{100, 0x20, 1};
    b.state.kind = "buf";
    b.state.count = 1;
    b.state.holders = {held(site(&leaky_site, 100), 1, false)};
    nlohmann::json j = leaks_json(summary, {a, b}, sym);
    ASSERT_EQ(j["sites"].size(), 1u);
    EXPECT_EQ(j["sites"][0]["refs"], 3);
    EXPECT_EQ(j["sites"][0]["objects"], 2);
    EXPECT_EQ(j["sites"][0]["freed_with_refs"], 1);
    ASSERT_EQ(j["objects"].size(), 2u);
    EXPECT_EQ(j["objects"][0]["freed"], true);
    EXPECT_EQ(j["objects"][1]["object"], "0x20");
}

TEST_F(Reports, HoldersJsonCarriesCountAndTime)
{
    ObjectState s;
    s.object = ObjectKey{100, 0x30, 0};
    s.kind = "page";
    s.time_ns = 5000;
    s.count = 1;
    s.holders = {held(site(&normal_site, 100), 1, false, Confidence::exact)};
    s.holders[0].holder = 0xabc;
    nlohmann::json j = holders_json(summary, s, sym);
    EXPECT_EQ(j["pid"], 100);
    EXPECT_EQ(j["object"], "0x30");
    EXPECT_EQ(j["time_ns"], 5000);
    EXPECT_EQ(j["count"], 1);
    EXPECT_EQ(j["uncertain"], false);
    EXPECT_EQ(j["holders"][0]["holder"], "0xabc");
    EXPECT_EQ(j["holders"][0]["confidence"], "exact");
}

TEST_F(Reports, HoldAgesReadInHumanUnits)
{
    Blocked b = blocked(100, 0x1, {held(site(&leaky_site, 100), 1, false)});
    b.holders[0].since_ns = 1000;
    b.time_ns = 1000 + 2'500'000; // held for 2.5 ms at the failed freeze
    std::string text = blockers_text(summary, {b}, sym);
    EXPECT_NE(text.find("held for"), std::string::npos) << text;
    EXPECT_NE(text.find("2.5 ms"), std::string::npos) << text;

    SiteStats st;
    st.site = site(&leaky_site, 100);
    st.gets = st.puts = 4;
    for (std::uint64_t ns : {1'000u, 1'100u, 900'000'000u, 950'000'000u}) { // median between the groups: the 2nd
        st.holds.add(ns, 1);
        st.hold_ns_max = std::max<std::uint64_t>(st.hold_ns_max, ns);
    }
    SiteStats other = st; // the same line in another process: merged, histograms added
    other.site = site(&leaky_site, 200);
    std::string sites = sites_text(summary, {st, other}, sym);
    EXPECT_NE(sites.find("median hold"), std::string::npos) << sites;
    EXPECT_NE(sites.find(" us"), std::string::npos) << sites; // ~1.1 us, within the histogram's 10%
    EXPECT_NE(sites.find("950.0 ms"), std::string::npos) << sites;
    nlohmann::json j = sites_json(summary, {st, other}, sym);
    ASSERT_EQ(j["sites"].size(), 1u);
    EXPECT_EQ(j["sites"][0]["puts"], 8);
    EXPECT_GT(j["sites"][0]["hold_ns_median"].get<std::uint64_t>(), 900u);
    EXPECT_LT(j["sites"][0]["hold_ns_median"].get<std::uint64_t>(), 1'300u);
}

TEST_F(Reports, HistoryNotesGoOnLinesOfTheirOwnRatherThanPastOneHundredColumns)
{
    HistoryEntry e;
    e.event.op = Op::mod;
    e.event.pid = 100;
    e.event.caller = site(&leaky_site, 100).address;
    e.event.time_ns = 2000;
    e.event.count = 1;
    e.event.val = -1;
    e.paired_with = site(&normal_site, 100);
    e.pairing = Confidence::inferred;
    e.continuity_break = true;
    std::string text = history_text(summary, ObjectKey{100, 0x1, 0}, {e}, sym);
    std::vector<std::string> notes;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string line = text.substr(start, nl - start);
        if (line.find("undoes") != std::string::npos || line.find("continuity break") != std::string::npos)
            notes.push_back(line);
    }
    ASSERT_EQ(notes.size(), 2u) << text; // one each: the event line (this file's long path) takes neither
    for (const std::string &n : notes) {
        EXPECT_EQ(n.find("-> "), 16u) << n;
        EXPECT_LE(n.size(), 100u) << n;
    }
}

TEST_F(Reports, StreamedBlockersJsonIsExactlyTheJsonDocument)
{
    for (std::size_t n : {0u, 1u, 3u}) {
        std::vector<Blocked> list;
        for (std::size_t i = 0; i < n; ++i)
            list.push_back(blocked(100, 0x1000 + i, {held(site(&normal_site, 100), 1, true),
                                                      held(site(&leaky_site, 100), 2, false)}));
        summary.warnings = {"a warning"};
        const std::string want = blockers_json(summary, list, sym).dump(2) + "\n";
        const std::string got = written([&](std::FILE *f) { write_blockers_json(f, summary, list, sym); });
        EXPECT_EQ(got, want) << n << " failed freezes";
    }
}

TEST_F(Reports, StreamedBlockersJsonIsTheDocumentWhateverItsElementsHold)
{
    // The streamed elements are written as text (BlockedWriter), not dumped: every optional key, null,
    // negative and escaped value must come out as nlohmann writes it.
    std::vector<Blocked> list;
    Blocked none = blocked(100, 0x10, {});
    none.kind = "";
    none.uncertain = true;
    none.tid = unknown_id;
    none.object.generation = UINT32_MAX;
    list.push_back(none);
    HeldRefs tracked = held(site(&leaky_site, 100), 3, false, Confidence::exact);
    tracked.holder = 0xffff'8000'1234'5678ull;
    tracked.uncertain = true;
    tracked.tid = unknown_id;
    tracked.since_ns = UINT64_MAX;
    HeldRefs unknown = held(SiteKey{100, 0, 0}, 1, false, Confidence::guess); // taken before tracing
    HeldRefs elsewhere = held(SiteKey{300, 0x1234, 0}, 2, true);              // no module map: unresolved
    sym.on_stack(StackEvent{100, 7, 0, {site(&normal_site, 100).address, site(&leaky_site, 100).address}});
    HeldRefs stacked = held(SiteKey{100, site(&leaky_site, 100).address, 7}, 1, false); // with a "stack" array
    Blocked many = blocked(100, 0x20, {tracked, unknown, elsewhere, stacked, held(site(&leaky_site, 100), 1, false)});
    many.kind = "a \"quoted\" kind\\with\ttab, \x01 and UTF-8: \xc3\xa9\xe2\x82\xac";
    many.freeze_site = SiteKey{300, 0x1234, 0};
    many.count = -2;
    list.push_back(many);
    list.push_back(blocked(200, 0x30, {held(site(&normal_site, 200), 1, true)}));
    list.back().kind = "back\\slash"; // each escape alone too
    list.push_back(blocked(200, 0x40, {}));
    list.back().kind = "\x7f and caf\xc3\xa9";
    const std::string want = blockers_json(summary, list, sym).dump(2) + "\n";
    ASSERT_NE(want.find("\"stack\": ["), std::string::npos) << want;
    EXPECT_EQ(written([&](std::FILE *f) { write_blockers_json(f, summary, list, sym); }), want);
}

TEST_F(Reports, BlockersJsonWarnsOfEverySiteItShowsNotOnlyTheRankedOnes)
{
    // Process 300 has no module map. Its freezer and its expected holder are shown in "blocked" but not
    // ranked in "sites"; the warning must still be there, in the document and in the streamed output.
    const std::vector<Blocked> list = {blocked(300, 0x3000, {held(SiteKey{300, 0x1234, 0}, 1, true)})};
    const nlohmann::json j = blockers_json(summary, list, sym);
    EXPECT_TRUE(j["sites"].empty());
    ASSERT_EQ(j["symbol_warnings"].size(), 1u) << j.dump(2);
    EXPECT_NE(j["symbol_warnings"][0].get<std::string>().find("process 300"), std::string::npos);
    EXPECT_EQ(written([&](std::FILE *f) { write_blockers_json(f, summary, list, sym); }), j.dump(2) + "\n");
}

TEST_F(Reports, LeaksTextSaysNRefsOnMObjectsAcquiredAtTheSite)
{
    LeakedObject a, b;
    a.state.object = ObjectKey{100, 0x10, 0};
    a.state.kind = "buf";
    a.state.count = 2;
    a.state.freed = true;
    a.state.holders = {held(site(&leaky_site, 100), 2, false)};
    b.state.object = ObjectKey{100, 0x20, 0};
    b.state.kind = "buf";
    b.state.count = 1;
    b.state.holders = {held(site(&leaky_site, 100), 1, false)};
    std::string text = leaks_text(summary, {a, b}, sym, {});
    EXPECT_NE(text.find("3 refs on 2 objects (1 freed with refs held) acquired at "), std::string::npos) << text;
    EXPECT_NE(text.find("leaky_site"), std::string::npos) << text;
}

TEST_F(Reports, StatsCountEventsByKindThreadsAndGenerations)
{
    summary.events_by_op[static_cast<std::size_t>(Op::mod)] = 1200;
    summary.events_by_op[static_cast<std::size_t>(Op::freeze)] = 34;
    summary.threads = 3;
    summary.objects = 7;
    summary.addresses = 5;
    summary.last_ns = summary.first_ns + 2'000'000;
    std::string text = stats_text(summary, {}, sym);
    EXPECT_NE(text.find("ref_mod"), std::string::npos) << text;
    EXPECT_NE(text.find("1200"), std::string::npos) << text;
    EXPECT_NE(text.find("threads: 3"), std::string::npos) << text;
    EXPECT_NE(text.find("7 generations of 5 addresses"), std::string::npos) << text;
    EXPECT_NE(text.find("2.0 ms"), std::string::npos) << text;
    nlohmann::json j = stats_json(summary, {}, sym);
    EXPECT_EQ(j["events_by_kind"]["ref_mod"], 1200);
    EXPECT_EQ(j["events_by_kind"]["ref_freeze"], 34);
    EXPECT_FALSE(j["events_by_kind"].contains("obj_init"));
    EXPECT_EQ(j["threads"], 3);
    EXPECT_EQ(j["duration_ns"], 2'000'000);
}

TEST_F(Reports, StreamedStatsJsonIsExactlyTheJsonDocument)
{
    for (std::size_t n : {0u, 1u, 3u}) {
        std::vector<Finding> findings;
        for (std::size_t i = 0; i < n; ++i) {
            Finding f;
            f.what = FindingKind::underflow;
            f.object = ObjectKey{100, 0x10 + i, 0};
            f.site = site(&leaky_site, 100);
            f.count = -1;
            findings.push_back(f);
        }
        summary.findings = n;
        const std::string want = stats_json(summary, findings, sym).dump(2) + "\n";
        const std::string got = written([&](std::FILE *f) { write_stats_json(f, summary, findings, sym); });
        EXPECT_EQ(got, want) << n << " findings";
    }
}

} // namespace
