// engine_test.cpp: the replay's op semantics: generations, freezes, moves and adopt, sets, first-seen objects, invariants.
#include "event_builder.hpp"
#include "replay/engine.hpp"
#include "replay/shards.hpp"
#include "run_passes.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <utility>
#include <vector>

namespace refblame::analyzer::testing {
namespace {

constexpr std::uint64_t obj = 0xa000, init_site = 0x10, get_site = 0x20, put_site = 0x30, freeze_site = 0x40,
                        free_site = 0x50, unfreeze_site = 0x60;

// Records what the engine reports, and checks its invariant after every event.
struct Recorder final : replay::ReplayObserver {
    std::vector<replay::Release> releases;
    std::vector<ObjectKey> ended;
    std::vector<replay::EndReason> reasons;
    int failed_freezes = 0, invariant_violations = 0;
    void on_release(const replay::ObjectState &, const Event &, const replay::Release &r) override
    {
        releases.push_back(r);
        releases.back().ref = nullptr;
    }
    void on_generation_end(const replay::ObjectState &o, std::uint64_t, replay::EndReason why) override
    {
        ended.push_back(o.key);
        reasons.push_back(why);
    }
    void on_failed_freeze(const replay::ObjectState &, const Event &) override { ++failed_freezes; }
    void on_applied(const replay::ObjectState &o, const Event &, bool) override
    {
        if (o.units != o.open_units() || o.units != std::max<std::int64_t>(o.count, 0))
            ++invariant_violations;
    }
};

TEST(ReplayEngine, ObjInitAfterObjFreeStartsANewGeneration)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.put(obj, put_site, 1);
    b.free(obj, free_site, 1);
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 1);
    query::AnalysisOptions o;
    o.object = obj;
    o.history = true;
    query::Analysis a = analyze_events(b.take(), o);
    ASSERT_EQ(a.history.size(), 5u);
    EXPECT_EQ(a.history[2].generation, 0u);
    EXPECT_EQ(a.history[3].generation, 1u);
    EXPECT_EQ(a.summary.objects, 2u);
    EXPECT_EQ(a.summary.addresses, 1u);
    ASSERT_EQ(a.holders.size(), 1u);
    EXPECT_EQ(a.holders[0].object.generation, 1u);
    EXPECT_EQ(a.holders[0].count, 2); // the old generation's refs never merge into the new one
    EXPECT_TRUE(a.findings.empty());
}

TEST(ReplayEngine, SuccessfulFreezeThenUnfreezeGivesTheSameHoldersBack)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 2);
    b.freeze(obj, 2, freeze_site, 3);
    b.unfreeze(obj, 2, unfreeze_site, 3);
    query::AnalysisOptions o;
    o.object = obj;
    query::Analysis a = analyze_events(b.take(), o);
    ASSERT_EQ(a.holders.size(), 1u);
    ASSERT_EQ(a.holders[0].holders.size(), 2u);
    for (const HeldRefs &h : a.holders[0].holders)
        EXPECT_TRUE(h.site.address == init_site || h.site.address == get_site);
}

TEST(ReplayEngine, FreezeFreeReleasesTheFrozenRefsWithoutALeak)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 2);
    b.freeze(obj, 2, freeze_site, 3);
    b.free(obj, free_site, 3); // migrated: the old page goes away frozen
    query::Analysis a = analyze_events(b.take());
    EXPECT_TRUE(a.leaks.empty());
    EXPECT_TRUE(a.findings.empty());
    for (const SiteStats &s : a.sites)
        EXPECT_EQ(s.outstanding, 0u);
}

TEST(ReplayEngine, FailedFreezeChangesNothing)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 2);
    b.freeze(obj, 1, freeze_site, 3);
    b.put(obj, put_site, 2);
    b.freeze(obj, 1, freeze_site, 3);
    Recorder r;
    replay::OldestFirstPairer p;
    replay::ReplayEngine e(p, r);
    for (const Event &ev : b.events())
        e.on_event(ev);
    e.finish();
    EXPECT_EQ(r.failed_freezes, 1);
    EXPECT_EQ(e.counters().breaks, 0u);
    EXPECT_EQ(r.invariant_violations, 0);
}

TEST(ReplayEngine, TrackedGetMovePutPairsExactlyByHolder)
{
    EventBuilder b;
    b.init(obj, "object", 0, init_site, 1);
    b.get(obj, get_site, 1, /*holder=*/0x111);
    b.get(obj, get_site + 1, 1, 0x222);
    b.move(obj, 0x111, 0x333, get_site + 2, 1);
    b.put(obj, put_site, 2, 0x333); // undoes the first get, now held by 0x333
    query::AnalysisOptions o;
    o.object = obj;
    o.history = true;
    query::Analysis a = analyze_events(b.take(), o);
    ASSERT_EQ(a.holders[0].holders.size(), 1u);
    const HeldRefs &h = a.holders[0].holders[0];
    EXPECT_EQ(h.holder, 0x222u);
    EXPECT_EQ(h.site.address, get_site + 1);
    EXPECT_EQ(h.confidence, Confidence::exact);
    ASSERT_TRUE(a.history.back().paired_with);
    EXPECT_EQ(a.history.back().paired_with->address, get_site); // the move kept the acquire site
    EXPECT_EQ(a.history.back().pairing, Confidence::exact);
}

TEST(ReplayEngine, AdoptTakesTheBaseRefNotANewerAnonymousOne)
{
    EventBuilder b;
    b.init(obj, "object", 1, init_site, 1);
    b.get(obj, get_site, 1);
    b.move(obj, 0, 0x444, get_site + 8, 1); // ref_ptr::adopt
    query::AnalysisOptions o;
    o.object = obj;
    query::Analysis a = analyze_events(b.take(), o);
    const HeldRefs *adopted = nullptr;
    for (const HeldRefs &h : a.holders[0].holders)
        if (h.holder == 0x444)
            adopted = &h;
    ASSERT_NE(adopted, nullptr);
    EXPECT_EQ(adopted->site.address, init_site);
    EXPECT_EQ(adopted->confidence, Confidence::exact);
}

TEST(ReplayEngine, SetAndModReturnAndModUnlessFollowTheirSemantics)
{
    EventBuilder b;
    b.set(obj, 1, init_site, 1); // init_page_count without obj_init
    b.get_unless_zero(obj, get_site, 1);
    Event &r = b.get(obj, get_site + 1, 1);
    r.op = Op::mod_and_return;
    r.ret = r.count;
    b.put(obj, put_site, 1);
    b.put(obj, put_site, 1);
    b.put(obj, put_site, 1);
    b.get_unless_zero(obj, get_site, 1); // fails on zero
    Recorder rec;
    replay::OldestFirstPairer p;
    replay::ReplayEngine e(p, rec);
    for (const Event &ev : b.events())
        e.on_event(ev);
    e.finish();
    EXPECT_EQ(e.counters().breaks, 0u);
    EXPECT_EQ(e.counters().unknown_origin_objects, 0u);
    EXPECT_EQ(rec.releases.size(), 3u);
    EXPECT_EQ(rec.invariant_violations, 0);
}

TEST(ReplayEngine, ObjectFirstSeenMidLifeHoldsRefsOfUnknownOriginLabelledGuess)
{
    EventBuilder b;
    b.at(5000);
    Event e;
    e.time_ns = 5000;
    e.obj = obj;
    e.caller = get_site;
    e.pid = 4242;
    e.tid = 1;
    e.op = Op::mod;
    e.val = 1;
    e.count = 3; // two refs were taken before tracing started
    query::AnalysisOptions o;
    o.object = obj;
    query::Analysis a = analyze_events({e}, o);
    ASSERT_EQ(a.holders.size(), 1u);
    int unknown = 0;
    for (const HeldRefs &h : a.holders[0].holders)
        if (h.site.address == 0) {
            unknown += h.refs;
            EXPECT_EQ(h.confidence, Confidence::guess);
        }
    EXPECT_EQ(unknown, 2);
    EXPECT_FALSE(a.holders[0].uncertain);
    EXPECT_EQ(a.summary.warnings.size(), 1u);
}

TEST(ReplayEngine, RandomOpSequencesKeepRefsEqualToTheCount)
{
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
        std::vector<Event> events;
        std::uint64_t t = 1;
        for (int i = 0; i < 200; ++i) {
            Event e;
            e.time_ns = t += rng() % 3;
            e.obj = 0x100 + rng() % 3 * 8;
            e.pid = 1;
            e.tid = static_cast<std::int32_t>(rng() % 4);
            e.caller = 0x10 * (1 + rng() % 6);
            e.holder = rng() % 4 == 0 ? 0x900 + rng() % 3 : 0;
            e.from = rng() % 2 ? 0 : 0x900 + rng() % 3;
            e.op = static_cast<Op>(rng() % 10);
            e.count = static_cast<std::int32_t>(rng() % 7) - 1;
            e.val = static_cast<std::int32_t>(rng() % 5) - 2;
            e.ret = static_cast<std::int32_t>(rng() % 2);
            e.kind = "k";
            events.push_back(e);
        }
        Recorder r;
        replay::OldestFirstPairer p;
        replay::ReplayEngine engine(p, r);
        for (const Event &e : events)
            engine.on_event(e);
        engine.finish();
        ASSERT_EQ(r.invariant_violations, 0) << "round " << round;
        EXPECT_EQ(engine.counters().events, events.size());
    }
}

// What an observer sees of one replay: every release, and the site tallies after every event.
struct TallyWatcher final : replay::ReplayObserver {
    std::vector<std::pair<std::uint64_t, int>> released; // (ref id, units)
    std::vector<std::vector<replay::SiteTally>> tallies;
    void on_release(const replay::ObjectState &, const Event &, const replay::Release &r) override
    {
        released.emplace_back(r.ref->id, r.units);
    }
    void on_applied(const replay::ObjectState &o, const Event &, bool) override { tallies.push_back(o.tally); }
};

TEST(ReplayEngine, KeepsSiteTalliesOnlyWhenAskedAndPairsTheSameEitherWay)
{
    EventBuilder b;
    b.init(obj, "page", 1, init_site, 1);
    b.get(obj, get_site, 2, 0, 2);
    b.put(obj, put_site, 2);
    b.get(obj, get_site, 3);
    b.put(obj, put_site, 3, 0, 2);
    b.free(obj, free_site, 1);
    const auto run = [&](bool tallies) {
        TallyWatcher w;
        replay::OldestFirstPairer p;
        replay::EngineOptions o;
        o.tallies = tallies;
        replay::ReplayEngine e(p, w, o);
        for (const Event &ev : b.events())
            e.on_event(ev);
        e.finish();
        return w;
    };
    TallyWatcher kept = run(true), left = run(false);
    EXPECT_EQ(kept.released, left.released);
    ASSERT_EQ(kept.tallies.size(), b.events().size());
    ASSERT_EQ(left.tallies.size(), b.events().size());
    for (const std::vector<replay::SiteTally> &t : left.tallies)
        EXPECT_TRUE(t.empty());
    // After the second put: the base ref from init_site, 3 units got at get_site, 3 put at put_site.
    std::map<std::uint64_t, std::pair<std::int64_t, std::int64_t>> by_caller;
    for (const replay::SiteTally &t : kept.tallies[4])
        by_caller[t.site] = {t.gets, t.puts};
    ASSERT_EQ(by_caller.size(), 3u);
    const std::vector<std::pair<std::int64_t, std::int64_t>> expected = {{1, 0}, {3, 0}, {0, 3}};
    std::vector<std::pair<std::int64_t, std::int64_t>> seen;
    for (const auto &[site, counts] : by_caller)
        seen.push_back(counts);
    EXPECT_EQ(seen, expected); // site ids are given in order of first use: init, get, put
}

// An address from `from` on whose object is in shard `lane` of 4.
std::uint64_t in_lane(unsigned lane, std::uint64_t from)
{
    while (replay::shard_of(4242, from, 4) != lane)
        from += 64;
    return from;
}

TEST(ReplayEngine, KeepsWhichShardsHaveEventsHeldBack)
{
    const std::uint64_t a = in_lane(1, 0xb000), b = in_lane(3, 0xb000), c = in_lane(1, a + 64);
    // Each object's gets, made in count order; handed to the engine out of it below, some never (lost).
    EventBuilder build;
    std::vector<Event> in{build.init(a, "page", 1, init_site, 1), build.init(b, "page", 1, init_site, 1),
                          build.init(c, "page", 1, init_site, 1)};
    // get(o, tid): o's next get (counts 2, 3, ...); a missing one comes from another thread (another CPU's stream).
    const auto get = [&](std::uint64_t o, std::int32_t tid) { return build.get(o, get_site, tid); };
    const Event a2 = get(a, 2), a3 = get(a, 1);
    get(a, 1); // 4: lost
    const Event a5 = get(a, 1);
    get(a, 1); // 6: lost
    const Event a7 = get(a, 1), b2 = get(b, 1);
    get(b, 1); // 3: lost
    const Event b4 = get(b, 1), b5 = get(b, 1), c2 = get(c, 2), c3 = get(c, 1);
    const std::uint64_t t = in.back().time_ns;
    const auto at = [](Event e, std::uint64_t ns) {
        e.time_ns = ns;
        return e;
    };
    in.push_back(at(a3, t + 10));   // count 3: a's count was 1, the event making it 2 is still to come
    in.push_back(at(b2, t + 20));   // follows
    in.push_back(at(c3, t + 30));   // c waits too, in a's shard
    in.push_back(at(a2, t + 40));   // a's missing event: both applied; c still waits
    in.push_back(at(b4, t + 50));   // b waits: two shards
    in.push_back(at(c2, t + 60));   // c's missing one
    in.push_back(at(a5, t + 70));   // a waits again (4 is lost)
    in.push_back(at(b5, t + 2000)); // past the window: a and b given up (continuity breaks)
    in.push_back(at(a7, t + 2010)); // held at the end of the stream (6 is lost)
    const std::uint64_t none = 0, lane1 = 1u << 1, lane3 = 1u << 3;
    const std::vector<std::uint64_t> expected = {none,  none,          none,  lane1,         lane1, lane1,
                                                 lane1, lane1 | lane3, lane3, lane1 | lane3, none,  lane1};
    Recorder r;
    replay::OldestFirstPairer p;
    replay::EngineOptions o;
    o.held_lanes = 4;
    o.reorder_window_ns = 1000;
    replay::ReplayEngine e(p, r, o);
    replay::ReplayEngine unwatched(p, r, {}); // held_lanes 0: none kept
    ASSERT_EQ(in.size(), expected.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        e.on_event(in[i]);
        unwatched.on_event(in[i]);
        EXPECT_EQ(e.held_lanes(), expected[i]) << "after event " << i;
        EXPECT_EQ(unwatched.held_lanes(), 0u);
    }
    e.finish();
    EXPECT_EQ(e.held_lanes(), 0u);
}

} // namespace
} // namespace refblame::analyzer::testing
