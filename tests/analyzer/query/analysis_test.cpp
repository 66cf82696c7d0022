// analysis_test.cpp: the driver reads the trace once, and the threaded, sharded and single-threaded analyses give the same answers.
#include "event_builder.hpp"
#include "format/reports.hpp"
#include "format/stack_reports.hpp"
#include "page_pool_scenario.hpp"
#include "query/analysis.hpp"
#include "replay/shards.hpp"
#include "run_passes.hpp"
#include "symbolize/symbolizer.hpp"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace refblame::analyzer::query {
namespace {

// One replay of every object on one thread: what the shards are held to.
AnalysisOptions one_replay(AnalysisOptions o)
{
    o.threads = 1;
    o.lanes = 1;
    return o;
}

// The attribution in `lanes` shards (0: the default number) replayed by `threads` threads.
struct Split {
    int lanes, threads;
};
const Split splits[] = {{2, 2}, {3, 3}, {3, 1}, {5, 2}, {0, 1}, {0, 2}};

AnalysisOptions split(AnalysisOptions o, Split s)
{
    o.lanes = s.lanes;
    o.threads = s.threads;
    return o;
}

std::string describe(Split s)
{
    return (s.lanes ? std::to_string(s.lanes) : std::string("default")) + " shards, " + std::to_string(s.threads) +
           " threads";
}

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
    AnalysisOptions one = one_replay({}), two;
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
        AnalysisOptions one = one_replay({});
        one.max_findings = max_findings;
        const Analysis single = testing::analyze_events(s.events, one);
        ASSERT_GT(single.blocked.size(), 20u);
        ASSERT_GT(single.leaks.size(), 5u);
        ASSERT_GT(single.summary.findings, 5u);
        const std::vector<std::string> expected = reports(single);
        for (Split sp : splits) {
            const Analysis sharded = testing::analyze_events(s.events, split(one, sp));
            const std::vector<std::string> got = reports(sharded);
            ASSERT_EQ(got.size(), expected.size());
            for (std::size_t i = 0; i < got.size(); ++i)
                EXPECT_EQ(got[i], expected[i]) << "report " << i << ", " << describe(sp) << ", cap " << max_findings;
            // The call sites in first-seen order, as one replay saw them (the symbolizer resolves them in it).
            ASSERT_EQ(sharded.site_uses.size(), single.site_uses.size());
            for (std::size_t i = 0; i < single.site_uses.size(); ++i)
                EXPECT_TRUE(sharded.site_uses[i].site == single.site_uses[i].site)
                    << "site " << i << ", " << describe(sp);
        }
    }
}

TEST(Analysis, AnObjectsHoldersAndHistoryComeFromOneReplayWhateverTheShardsAsked)
{
    testing::PagePoolConfig c;
    c.duration_ns = 100'000'000;
    const testing::Scenario s = testing::page_pool(c);
    std::uint64_t object = 0;
    for (const Event &e : s.events)
        if (e.op == Op::freeze && e.ret == 0) { // an object with a failed freeze: holders worth comparing
            object = e.obj;
            break;
        }
    ASSERT_NE(object, 0u);
    AnalysisOptions o = one_replay({});
    o.object = object;
    o.history = true;
    const Analysis single = testing::analyze_events(s.events, o);
    ASSERT_FALSE(single.history.empty());
    ASSERT_EQ(single.holders.size(), 1u);
    Symbolizer sym{SymbolizerOptions{}};
    for (Split sp : splits) {
        const Analysis a = testing::analyze_events(s.events, split(o, sp));
        ASSERT_EQ(a.history.size(), single.history.size()) << describe(sp);
        ASSERT_EQ(a.holders.size(), 1u) << describe(sp);
        EXPECT_EQ(holders_json(a.summary, a.holders[0], sym).dump(),
                  holders_json(single.summary, single.holders[0], sym).dump())
            << describe(sp);
    }
}

// A short stream of a few objects with what sharding must get right: counts that skip (lost events),
// neighbours swapped (another CPU's clock), held-back events expiring by time and by number, frees and
// re-inits, failed and successful freezes, underflows (findings) and tracked holders.
std::vector<Event> rough_stream(std::mt19937_64 &rng)
{
    testing::EventBuilder b;
    std::vector<std::uint64_t> objs;
    for (std::uint64_t i = 0; i < 6; ++i) {
        objs.push_back(0x7000 + i * 64);
        b.init(objs.back(), "page", 1, 0x10, 1);
    }
    std::uint64_t obj = objs[0];
    for (int i = 0; i < 250; ++i) {
        if (rng() % 3 == 0) // runs on one object: its own events get swapped
            obj = objs[rng() % objs.size()];
        const std::uint64_t site = 0x20 + 8 * (rng() % 4);
        const std::int32_t tid = 1 + static_cast<std::int32_t>(rng() % 3);
        switch (rng() % 10) {
        case 0:
        case 1:
        case 2: b.get(obj, site, tid, rng() % 6 == 0 ? 0xbeef : 0); break;
        case 3:
        case 4:
        case 5:
            if (b.count(obj) > 1)
                b.put(obj, site + 0x100, tid);
            break;
        case 6: {
            const int before = b.count(obj);
            if (b.freeze(obj, 1 + static_cast<int>(rng() % 2), 0x30, tid).ret)
                b.unfreeze(obj, before, 0x34, tid);
            break;
        }
        case 7:
            b.free(obj, 0x40, tid);
            b.init(obj, "page", 1, 0x10, tid);
            break;
        default: b.put(obj, 0x50, tid); break; // may go below zero: a finding
        }
        b.advance(rng() % 30 == 0 ? 5000 : rng() % 20); // a jump: everything held back expires at once
    }
    std::vector<Event> events = b.take();
    std::vector<Event> out;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (rng() % 15 == 0)
            continue; // lost: the next count does not follow
        if (i + 1 < events.size() && rng() % 5 == 0) {
            out.push_back(events[i + 1]); // arrives before its elder
            out.push_back(events[i]);
            ++i;
            continue;
        }
        out.push_back(events[i]);
    }
    return out;
}

TEST(Analysis, AttributionInShardsGivesOneReplaysReportsOnDisorderedStreams)
{
    std::mt19937_64 rng(2026);
    for (int round = 0; round < 150; ++round) {
        const std::vector<Event> events = rough_stream(rng);
        AnalysisOptions one = one_replay({});
        one.engine.reorder_window_ns = 100 + rng() % 1000;
        one.engine.reorder_max_pending = rng() % 4;
        one.max_findings = rng() % 6;
        Loss loss;
        loss.pid = 4242;
        loss.begin_ns = events[events.size() / 2].time_ns;
        loss.end_ns = loss.begin_ns + 50;
        loss.count = 1;
        const std::vector<Loss> losses = round % 3 == 0 ? std::vector<Loss>{loss} : std::vector<Loss>{};
        const std::vector<std::string> expected = reports(testing::analyze_events(events, one, losses));
        for (Split sp : splits)
            ASSERT_EQ(reports(testing::analyze_events(events, split(one, sp), losses)), expected)
                << "round " << round << ", " << describe(sp);
    }
}

// An address whose object is in shard `a` of 2, `b` of 3 and `c` of 16, from `from` on (shard_of scales
// one hash: shard 1 of 2 is shards 8-15 of 16, shard 0 of 3 shards 0-5).
std::uint64_t address_in(unsigned a, unsigned b, unsigned c, std::uint64_t from)
{
    for (std::uint64_t obj = from; obj < from + (64u << 20); obj += 64)
        if (replay::shard_of(4242, obj, 2) == a && replay::shard_of(4242, obj, 3) == b &&
            replay::shard_of(4242, obj, 16) == c)
            return obj;
    ADD_FAILURE() << "no object in shards " << a << ", " << b << ", " << c;
    return from;
}

// One replay and the shards must agree on `events`: each report the same bytes.
void expect_shards_agree(const std::vector<Event> &events, const AnalysisOptions &options)
{
    const Analysis single = testing::analyze_events(events, one_replay(options));
    ASSERT_GE(single.blocked.size(), 2u);
    const std::vector<std::string> expected = reports(single);
    for (Split sp : splits)
        EXPECT_EQ(reports(testing::analyze_events(events, split(options, sp))), expected) << describe(sp);
}

Event op_on(Op op, std::uint64_t obj, int val, int count, std::uint64_t time_ns)
{
    Event e;
    e.op = op;
    e.obj = obj;
    e.pid = 4242;
    e.tid = 1;
    e.caller = 0x30;
    e.val = val;
    e.count = count;
    e.time_ns = time_ns;
    return e;
}

// A failed freeze that saw `count`, which does not follow the object's (events were lost): held back.
Event freeze_seeing(std::uint64_t obj, int count, std::uint64_t time_ns)
{
    return op_on(Op::freeze, obj, 1, count, time_ns);
}

TEST(Analysis, ShardsExpireAHeldBackEventWhenOneReplayWouldAfterItsElderWasGivenUp)
{
    const std::uint64_t x = address_in(0, 0, 3, 0x10000), y = address_in(1, 1, 9, 0x10000),
                        z = address_in(1, 2, 12, 0x10000);
    testing::EventBuilder b;
    b.at(9).init(x, "page", 1, 0x10, 1);
    b.init(y, "page", 1, 0x10, 1);
    b.init(z, "page", 1, 0x10, 1);
    std::vector<Event> events = b.take();
    events.push_back(freeze_seeing(y, 5, 420)); // y held back
    events.push_back(freeze_seeing(x, 5, 500)); // x held back
    events.push_back(freeze_seeing(x, 7, 200)); // two held: x gives up its elder; the t=200 one waits
    events.push_back(op_on(Op::mod, z, 1, 2, 530)); // the clock moves on: one replay expires y and x here
    events.push_back(freeze_seeing(y, 5, 560)); // y fails again, after its held-back one was applied
    events.push_back(op_on(Op::mod, z, 1, 3, 700));
    AnalysisOptions o;
    o.engine.reorder_window_ns = 100;
    o.engine.reorder_max_pending = 1;
    expect_shards_agree(events, o);
}

TEST(Analysis, ShardsPutWhatFinishAppliesAfterWhatTheLastEventExpired)
{
    const std::uint64_t a = address_in(0, 0, 5, 0x20000), low = address_in(1, 1, 9, 0x1000),
                        c = address_in(1, 2, 14, 0x20000);
    ASSERT_LT(low, a); // the object drained at finish() sorts first by key
    testing::EventBuilder b;
    b.at(9).init(low, "page", 1, 0x10, 1);
    b.init(a, "page", 1, 0x10, 1);
    std::vector<Event> events = b.take();
    events.push_back(freeze_seeing(a, 4, 950));   // due by the last event
    events.push_back(freeze_seeing(low, 4, 1000)); // not yet due at the end: applied by finish()
    events.push_back(op_on(Op::obj_init, c, 1, 1, 1060)); // a third object: the trace's last event
    events.back().kind = "page";
    AnalysisOptions o;
    o.engine.reorder_window_ns = 100;
    expect_shards_agree(events, o);
}

} // namespace
} // namespace refblame::analyzer::query
