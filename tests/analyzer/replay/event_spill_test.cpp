// event_spill_test.cpp: the spill gives back every event and loss exactly, in order, as often as asked, from a file in TMPDIR.
#include "event_builder.hpp"
#include "prefetch_check.hpp"
#include "replay/event_spill.hpp"
#include "replay/shards.hpp"
#include "user_error.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <tuple>

namespace refblame::analyzer::replay {
namespace {

struct Collect final : EventSink {
    std::vector<Event> events;
    std::vector<std::pair<std::size_t, Loss>> losses; // (events before it, loss)
    std::vector<std::uint64_t> clock;                 // every event's time, those given and those not
    void on_event(const Event &e) override
    {
        events.push_back(e);
        clock.push_back(e.time_ns);
    }
    void on_clock(std::uint64_t time_ns) override { clock.push_back(time_ns); }
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override { losses.emplace_back(events.size(), l); }
};

// The i-th event of a plain run over 61 objects of one process, `step` ns apart, its site in `sites`.
Event simple_event(SiteIndex &sites, std::uint64_t i, std::uint64_t step)
{
    Event e;
    e.time_ns = 1000 + step * i;
    e.obj = 0x1000 + (i % 61) * 64;
    e.pid = 8;
    e.caller = 0x400;
    e.site = sites.of(e);
    return e;
}

void expect_same(const Event &a, const Event &b)
{
    EXPECT_EQ(a.time_ns, b.time_ns);
    EXPECT_EQ(a.obj, b.obj);
    EXPECT_EQ(a.caller, b.caller);
    EXPECT_EQ(a.holder, b.holder);
    EXPECT_EQ(a.from, b.from);
    EXPECT_EQ(a.stack_id, b.stack_id);
    EXPECT_EQ(a.stream, b.stream);
    EXPECT_EQ(a.pid, b.pid);
    EXPECT_EQ(a.tid, b.tid);
    EXPECT_EQ(a.count, b.count);
    EXPECT_EQ(a.val, b.val);
    EXPECT_EQ(a.ret, b.ret);
    EXPECT_EQ(a.op, b.op);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.site, b.site);
}

TEST(EventSpill, GivesBackEveryFieldOfEveryOpAndTheLossesWhereTheyCame)
{
    testing::EventBuilder b;
    b.init(0xa0, "page", 1, 0x10, 1);
    b.get(0xa0, 0x20, 2, 0xbeef);       // tracked: holder
    b.move(0xa0, 0xbeef, 0xcafe, 0x24, 2); // from and holder
    b.get_unless_zero(0xa0, 0x28, 3).stream = 7;
    b.freeze(0xa0, 3, 0x30, 4);
    b.unfreeze(0xa0, 3, 0x34, 4).stack_id = 99;
    b.put(0xa0, 0x38, 2, 0xcafe);
    b.init(0xb0, "a kind longer than the small-string buffer", 2, 0x10, 1);
    b.free(0xa0, 0x40, 1);
    std::vector<Event> in = b.take();
    in[3].pid = 77; // another process: a site of its own
    for (unsigned lanes : {1u, 2u, 3u}) { // one file, or one per shard of the objects
        SCOPED_TRACE(lanes);
        SiteIndex sites;
        EventSpill spill(sites, lanes);
        Loss loss;
        loss.pid = 4242;
        loss.begin_ns = 5;
        loss.count = 3;
        loss.trace = "/some/trace";
        spill.add(loss);
        for (std::size_t i = 0; i < in.size(); ++i) {
            in[i].site = 0; // an id of this round's index
            in[i].site = sites.of(in[i]);
            spill.add(in[i]);
            if (i == 4)
                spill.add(loss);
        }
        for (int round = 0; round < 2; ++round) { // replays are repeatable
            Collect out;
            spill.replay(out);
            ASSERT_EQ(out.events.size(), in.size());
            for (std::size_t i = 0; i < in.size(); ++i)
                expect_same(out.events[i], in[i]);
            ASSERT_EQ(out.losses.size(), 2u);
            EXPECT_EQ(out.losses[0].first, 0u);
            EXPECT_EQ(out.losses[1].first, 5u);
            EXPECT_EQ(out.losses[1].second.trace, "/some/trace");
            EXPECT_EQ(out.losses[1].second.count, 3u);
        }
        EXPECT_EQ(spill.events(), in.size());
    }
}

TEST(EventSpill, TimesAndFieldsAtTheirLimitsComeBackExactly)
{
    // Records hold differences and variable-length numbers: each event takes one field to a limit or
    // just past a length boundary; addresses and threads jump both ways between records.
    struct Case {
        std::uint64_t time_ns;
        std::int32_t ret;
        std::uint32_t stream;
        std::uint64_t holder;
    };
    const std::vector<Case> cases = {
        {1'000, 0, 0, 0},
        {1'005, 1, 3, 0},
        {1'002, 0, 3, 0},                      // back in time
        {1'002 + (std::uint64_t{1} << 33), 0, 3, 0x77}, // a jump of more than 4 s, with a holder
        {UINT64_MAX, 0, 0, 0},                 // the largest time, then the smallest
        {0, 0, 0, 0},
        {7, 63, 127, 0},                       // the largest one-byte numbers (signed ones zigzagged)
        {8, -64, 0, 0},
        {9, 64, 128, 0},                       // the smallest two-byte ones
        {10, -65, 16383, 0},
        {11, 0, 16384, 0},                     // the smallest three-byte stream
        {12, 128, 65536, 0x99},
        {13, -129, 0, 0},
        {14, INT32_MIN, UINT32_MAX, 0},        // the longest
        {14 + UINT32_MAX, 0, 1, 0},            // exactly the largest difference
        {15 + 2 * std::uint64_t{UINT32_MAX}, 0, 1, 0},
    };
    for (unsigned lanes : {1u, 2u}) { // with two, each lane holds differences from its own last record
        SCOPED_TRACE(lanes);
        SiteIndex sites;
        EventSpill spill(sites, lanes);
        std::vector<Event> in;
        for (const Case &c : cases) {
            Event e;
            e.time_ns = c.time_ns;
            e.obj = in.size() % 2 ? UINT64_MAX - in.size() : 0x40 * in.size();
            e.tid = in.size() % 3 == 0 ? INT32_MIN : INT32_MAX - static_cast<std::int32_t>(in.size());
            e.pid = 5;
            e.caller = 0x500;
            e.op = Op::mod_and_return;
            e.count = e.ret = c.ret;
            e.val = -1;
            e.stream = c.stream;
            e.holder = c.holder;
            e.site = sites.of(e);
            spill.add(e);
            in.push_back(e);
            if (in.size() == 6) { // a kind in the middle, the next record short again
                Event init = e;
                init.op = Op::obj_init;
                init.kind = "slab";
                init.time_ns = 1;
                init.site = sites.of(init);
                spill.add(init);
                in.push_back(init);
            }
        }
        Collect out;
        spill.replay(out);
        ASSERT_EQ(out.events.size(), in.size());
        for (std::size_t i = 0; i < in.size(); ++i) {
            SCOPED_TRACE(i);
            expect_same(out.events[i], in[i]);
        }
    }
}

TEST(EventSpill, RecordsCrossingItsBufferBoundariesComeBackWhole)
{
    SiteIndex sites;
    EventSpill spill(sites);
    const std::uint64_t n = 400'000; // several buffer fills, records of many lengths, some with a holder
    for (std::uint64_t i = 0; i < n; ++i) {
        Event e;
        e.time_ns = i * (i % 7);
        e.obj = i * 64;
        e.caller = 0x1000 + i % 17;
        e.pid = 1;
        e.count = static_cast<std::int32_t>(i);
        e.holder = i % 3 == 0 ? i + 1 : 0;
        e.site = sites.of(e);
        spill.add(e);
    }
    EXPECT_GT(spill.bytes(), 3u << 20);
    Collect out;
    spill.replay(out);
    ASSERT_EQ(out.events.size(), n);
    for (std::uint64_t i = 0; i < n; i += 997) {
        EXPECT_EQ(out.events[i].obj, i * 64);
        EXPECT_EQ(out.events[i].time_ns, i * (i % 7));
        EXPECT_EQ(out.events[i].count, static_cast<std::int32_t>(i));
        EXPECT_EQ(out.events[i].holder, i % 3 == 0 ? i + 1 : 0);
        EXPECT_EQ(out.events[i].caller, 0x1000 + i % 17);
    }
}

TEST(EventSpill, AShardGetsItsObjectsEventsAndOnlyTheTimeOfTheOthers)
{
    // Lanes as many as shards: each shard reads its own lane. Any other number: every lane, in step.
    for (unsigned lanes : {1u, 2u, 3u}) {
        for (unsigned shards : {2u, 3u}) {
            SCOPED_TRACE(std::to_string(lanes) + " lanes, " + std::to_string(shards) + " shards");
            SiteIndex sites;
            EventSpill spill(sites, lanes);
            std::vector<Event> in;
            for (std::uint64_t i = 0; i < 4000; ++i) {
                Event e;
                e.time_ns = 1000 + i * (i % 3); // equal times, and jumps
                e.obj = 0x1000 + (i % 97) * 64;
                e.pid = i % 5 == 0 ? 7 : 8;
                e.caller = 0x400 + i % 3;
                e.tid = static_cast<std::int32_t>(i % 4);
                e.holder = i % 4 == 0 ? i + 1 : 0; // some records carry the extension
                e.site = sites.of(e);
                spill.add(e);
                in.push_back(e);
            }
            spill.seal();
            std::size_t given = 0;
            for (unsigned shard = 0; shard < shards; ++shard) {
                Collect out;
                spill.replay(out, shard, shards);
                ASSERT_EQ(out.clock.size(), in.size()) << "shard " << shard; // every event moves its clock once
                std::size_t k = 0;
                for (std::size_t i = 0; i < in.size(); ++i) {
                    EXPECT_EQ(out.clock[i], in[i].time_ns);
                    if (shard_of(in[i].pid, in[i].obj, shards) != shard)
                        continue;
                    ASSERT_LT(k, out.events.size());
                    expect_same(out.events[k++], in[i]);
                }
                EXPECT_EQ(k, out.events.size());
                EXPECT_GT(k, in.size() / (2 * shards)) << "shard " << shard << " got too few objects";
                given += k;
            }
            EXPECT_EQ(given, in.size());
        }
    }
}

TEST(EventSpill, AnotherLanesEventCostsALaneAboutThreeBytes)
{
    SiteIndex sites;
    EventSpill one(sites), two(sites, 2);
    for (std::uint64_t i = 0; i < 3000; ++i) {
        const Event e = simple_event(sites, i, 1);
        one.add(e);
        two.add(e);
    }
    // A lane of clock records is 1 byte of header and the time's difference (2 bytes here): the two
    // lanes together hold about what one file does plus 3 bytes per event.
    EXPECT_LT(two.bytes(), one.bytes() + 3 * 3000 + 64);
    EXPECT_GT(two.bytes(), one.bytes());
}

// What a sink was handed, position by position: an event ('e'), another shard's event with its time ('c'),
// or one of events passed over at once ('p': their group and its latest time).
struct Positions final : EventSink {
    struct At {
        char what;
        std::uint64_t time_ns;
        std::uint64_t group;
    };
    std::vector<At> at;
    std::vector<Event> events;
    std::vector<std::size_t> losses; // positions they came before
    std::uint64_t groups = 0;
    void on_event(const Event &e) override
    {
        at.push_back({'e', e.time_ns, 0});
        events.push_back(e);
    }
    void on_clock(std::uint64_t time_ns) override { at.push_back({'c', time_ns, 0}); }
    void on_clocks(std::uint64_t n, std::uint64_t time_ns) override
    {
        ++groups;
        for (std::uint64_t i = 0; i < n; ++i)
            at.push_back({'p', time_ns, groups});
    }
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &) override { losses.push_back(at.size()); }
};

TEST(EventSpill, EventsNoLaneHoldsBackForAreCountedInItWithTheLatestTimeSoFar)
{
    for (unsigned lanes : {2u, 3u, 16u}) {
        SCOPED_TRACE(std::to_string(lanes) + " lanes");
        SiteIndex sites;
        EventSpill spill(sites, lanes), loud(sites, lanes);
        std::vector<Event> in;
        std::vector<std::uint64_t> held; // per event: the lanes whose replays hold events back then
        for (std::uint64_t i = 0; i < 3000; ++i) {
            Event e;
            e.time_ns = 100000 + 10 * i - (i % 37 == 0 ? 500 : 0); // some come earlier than the one before
            e.obj = 0x1000 + (i % 53) * 64;
            e.pid = 8;
            e.caller = 0x400 + i % 3;
            e.tid = static_cast<std::int32_t>(i % 4);
            e.site = sites.of(e);
            // Stretches where every lane holds events back, none does, or one or two do.
            const std::uint64_t stretch = i / 50 % 4;
            held.push_back(stretch == 0   ? EventSpill::all_lanes
                           : stretch == 1 ? 0
                                          : std::uint64_t{1} << (i / 50 % lanes) | std::uint64_t{stretch == 3} << 1);
            if (i == 1000 || i == 2001) {
                Loss l;
                l.count = 1;
                spill.add(l);
            }
            if (i == 2500)
                spill.seal(); // what the lanes passed over so far is written; more follows
            spill.add(e, held.back());
            loud.add(e);
            in.push_back(e);
        }
        EXPECT_LT(spill.bytes(), loud.bytes());
        for (int round = 0; round < 2; ++round) { // repeatable
            for (unsigned shard = 0; shard < lanes; ++shard) {
                SCOPED_TRACE("shard " + std::to_string(shard));
                Positions out;
                spill.replay(out, shard, lanes);
                ASSERT_EQ(out.at.size(), in.size()); // each event takes one position
                EXPECT_EQ(out.losses, (std::vector<std::size_t>{1000, 2001}));
                std::size_t k = 0;
                // group -> the latest time of every event up to its last: no earlier than the latest of
                // its own, and no later than what the replay's clock reached by then anyway
                std::map<std::uint64_t, std::uint64_t> latest;
                std::uint64_t so_far = 0;
                for (std::size_t i = 0; i < in.size(); ++i) {
                    so_far = std::max(so_far, in[i].time_ns);
                    const Positions::At &a = out.at[i];
                    if (shard_of(in[i].pid, in[i].obj, lanes) == shard) {
                        ASSERT_EQ(a.what, 'e') << i;
                        expect_same(out.events[k++], in[i]);
                    } else if (held[i] >> shard & 1) {
                        ASSERT_EQ(a.what, 'c') << i;
                        EXPECT_EQ(a.time_ns, in[i].time_ns) << i;
                    } else {
                        ASSERT_EQ(a.what, 'p') << i;
                        latest[a.group] = so_far;
                        if (i > 0 && out.at[i - 1].group == a.group) { // a group: a run of events passed over
                            EXPECT_TRUE(!(held[i - 1] >> shard & 1) && out.at[i - 1].what == 'p') << i;
                        }
                    }
                }
                EXPECT_EQ(k, out.events.size());
                for (std::size_t i = 0; i < in.size(); ++i) {
                    if (out.at[i].what == 'p') {
                        EXPECT_EQ(out.at[i].time_ns, latest[out.at[i].group]) << i;
                    }
                }
                for (std::size_t l : out.losses) // none passed over at once spans a loss
                    EXPECT_TRUE(out.at[l - 1].what != 'p' || out.at[l - 1].group != out.at[l].group) << l;
                EXPECT_GT(out.groups, 10u);
            }
            // Every event, from the lanes in step; and shards of another count, from them in step.
            for (unsigned shards : {1u, lanes + 1}) {
                for (unsigned shard = 0; shard < shards; ++shard) {
                    Positions out;
                    spill.replay(out, shard, shards);
                    ASSERT_EQ(out.at.size(), in.size());
                    EXPECT_EQ(out.losses, (std::vector<std::size_t>{1000, 2001}));
                    std::size_t k = 0;
                    for (std::size_t i = 0; i < in.size(); ++i) {
                        if (shard_of(in[i].pid, in[i].obj, shards) == shard || shards == 1) {
                            ASSERT_EQ(out.at[i].what, 'e') << i;
                            expect_same(out.events[k++], in[i]);
                        } else {
                            ASSERT_EQ(out.at[i].what, 'c') << i;
                            EXPECT_EQ(out.at[i].time_ns, in[i].time_ns) << i;
                        }
                    }
                }
            }
        }
    }
}

TEST(EventSpill, QuietEventsCostTheOtherLanesLessThanClockRecords)
{
    SiteIndex sites;
    EventSpill one(sites), loud(sites, 4), quiet(sites, 4);
    for (std::uint64_t i = 0; i < 3000; ++i) {
        const Event e = simple_event(sites, i, 10);
        one.add(e);
        loud.add(e);
        quiet.add(e, std::uint64_t{0});
    }
    // Loud: each of the three other lanes gets a clock record (2 bytes here). Quiet: a lane's next record
    // says how many it passed over and how much earlier the latest came (2 bytes for a run of them); its
    // own records' differences grow a little (measured 2.3 bytes per event over one file in all).
    EXPECT_GT(loud.bytes(), one.bytes() + 3 * 2 * 3000 - 64);
    EXPECT_LT(quiet.bytes(), one.bytes() + 3 * 3000);
    EXPECT_LT(quiet.bytes() - one.bytes(), (loud.bytes() - one.bytes()) / 2);
}

TEST(EventSpill, ASinkReadingLanesInStepIsToldOfItsOwnEventsAheadStageByStage)
{
    SiteIndex sites;
    EventSpill spill(sites), lanes(sites, 3);
    std::vector<Event> in;
    for (std::uint64_t i = 0; i < 5000; ++i) { // several decoding chunks
        Event e;
        e.time_ns = 1000 + i;
        e.obj = 0x1000 + (i % 89) * 64;
        e.pid = 8;
        e.caller = 0x400 + i % 3;
        e.holder = i % 5 == 0 ? i + 1 : 0;
        e.site = sites.of(e);
        spill.add(e);
        lanes.add(e);
        in.push_back(e);
    }
    // All events: the three lanes in step. Shard 1 of 3: one file, read for its events.
    for (const auto &[from, shard, shards] : {std::tuple{&lanes, 0u, 1u}, std::tuple{&spill, 1u, 3u}}) {
        PrefetchCheck out;
        from->replay(out, shard, shards);
        std::size_t own = 0;
        for (const Event &e : in)
            own += shard_of(e.pid, e.obj, shards) == shard;
        EXPECT_EQ(out.delivered, own);
        EXPECT_TRUE(out.errors.empty()) << out.errors.front();
        EXPECT_TRUE(out.told.empty()) << "told of an event it never got (another shard's?) at time "
                                      << out.told.begin()->first;
        // Only the first events of each chunk of records can come without being told of all stages.
        EXPECT_GE(out.all_stages, own - (in.size() / 1024 + 1) * prefetch_distance[0])
            << "shard " << shard << " of " << shards;
    }
    // A shard's own lane: its objects are few, their states in the cache; it is told nothing ahead.
    for (unsigned shard = 0; shard < 3; ++shard) {
        PrefetchCheck out;
        lanes.replay(out, shard, 3);
        std::size_t own = 0;
        for (const Event &e : in)
            own += shard_of(e.pid, e.obj, 3) == shard;
        EXPECT_EQ(out.delivered, own);
        EXPECT_TRUE(out.told.empty()) << "shard " << shard;
    }
}

TEST(EventSpill, AnUnusableTempDirIsAUserErrorNamingItAndTmpdir)
{
    const char *old = std::getenv("TMPDIR");
    std::string saved = old ? old : "";
    setenv("TMPDIR", "/nonexistent/refblame-test", 1);
    SiteIndex sites;
    try {
        EventSpill spill(sites);
        FAIL() << "a spill was created in a directory that does not exist";
    } catch (const UserError &e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/refblame-test"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("TMPDIR"), std::string::npos) << e.what();
    }
    if (old)
        setenv("TMPDIR", saved.c_str(), 1);
    else
        unsetenv("TMPDIR");
}

} // namespace
} // namespace refblame::analyzer::replay
