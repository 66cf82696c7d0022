// trace_reader_test.cpp: TraceReader on real recorded traces: every field of every event against the program's own record.
#include "read/trace_reader.hpp"
#include "read_test_support.hpp"
#include "user_error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace refblame::analyzer {
namespace {

using test::CollectingSink;
using test::has_warning;
using test::load_record;
using test::ProgramRecord;
using test::recorded;
using test::RecordedOp;

// The trace's refblame events of one thread, in trace order.
std::vector<Event> of_tid(const std::vector<Event> &events, std::int32_t tid)
{
    std::vector<Event> out;
    for (const Event &e : events)
        if (e.tid == tid)
            out.push_back(e);
    return out;
}

void expect_same_ops(const std::vector<Event> &got, const std::vector<RecordedOp> &want, bool check_tid = true)
{
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        SCOPED_TRACE("op " + std::to_string(i) + " " + want[i].name);
        EXPECT_EQ(op_name(got[i].op), want[i].name);
        if (check_tid) {
            EXPECT_EQ(got[i].tid, want[i].tid);
        }
        EXPECT_EQ(got[i].obj, want[i].obj);
        EXPECT_EQ(got[i].count, want[i].count);
        EXPECT_EQ(got[i].val, want[i].val);
        EXPECT_EQ(got[i].ret, want[i].ret);
        EXPECT_EQ(got[i].holder, want[i].holder);
        EXPECT_EQ(got[i].from, want[i].from);
        EXPECT_EQ(got[i].kind, want[i].kind);
    }
}

bool time_ordered(const std::vector<Event> &events)
{
    return std::is_sorted(events.begin(), events.end(),
                          [](const Event &a, const Event &b) { return a.time_ns < b.time_ns; });
}

TEST(TraceReader, ReadsEveryOpOfBothThreadsWithTheFieldsTheProgramRecorded)
{
    const ProgramRecord rec = load_record(recorded() / "good.out");
    TraceReader reader(recorded() / "good");
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);

    EXPECT_EQ(sum.traces.size(), 1u);
    EXPECT_EQ(sum.traces_read, 1u);
    EXPECT_TRUE(sum.complete);
    EXPECT_EQ(sum.losses, 0u);
    EXPECT_EQ(sum.refblame_events, rec.ops_list.size());
    ASSERT_EQ(sink.events.size(), rec.ops_list.size());
    const auto threads = rec.by_tid();
    ASSERT_EQ(threads.size(), 2u);
    for (const auto &[tid, ops] : threads)
        expect_same_ops(of_tid(sink.events, tid), ops);

    for (const Event &e : sink.events) {
        EXPECT_EQ(e.pid, rec.pid);
        EXPECT_LT(e.stream, sum.streams);
        EXPECT_GE(e.caller, rec.text_lo) << "caller outside the program's text";
        EXPECT_LT(e.caller, rec.text_hi) << "caller outside the program's text";
    }
    // Nanoseconds from the Unix epoch: within a minute of the program's own clock.
    EXPECT_GT(sink.events.front().time_ns + 60'000'000'000ull, rec.start_ns);
    EXPECT_LT(sink.events.front().time_ns, rec.start_ns + 60'000'000'000ull);
    EXPECT_TRUE(time_ordered(sink.events));
    EXPECT_EQ(sum.first_ns, sink.events.front().time_ns);
    EXPECT_EQ(sum.last_ns, sink.events.back().time_ns);
}

TEST(TraceReader, CallersAreDistinctCallSitesAndTheSameForTheSameCodeOnTwoThreads)
{
    const ProgramRecord rec = load_record(recorded() / "good.out");
    TraceReader reader(recorded() / "good");
    CollectingSink sink;
    reader.read(sink);
    const auto threads = rec.by_tid();
    ASSERT_EQ(threads.size(), 2u);
    const std::vector<Event> a = of_tid(sink.events, threads.begin()->first);
    const std::vector<Event> b = of_tid(sink.events, std::next(threads.begin())->first);
    ASSERT_EQ(a.size(), b.size());
    std::set<std::uint64_t> distinct;
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].caller, b[i].caller) << "op " << i;
        distinct.insert(a[i].caller);
    }
    EXPECT_EQ(distinct.size(), a.size()) << "every op of every_op() is its own call site";
}

TEST(TraceReader, TurnsStatedumpAndLibEventsIntoModuleEventsWithPathsBaseAndBuildId)
{
    const ProgramRecord rec = load_record(recorded() / "good.out");
    TraceReader reader(recorded() / "good");
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    EXPECT_EQ(sum.module_events, sink.modules.size());

    using K = ModuleEvent::Kind;
    auto count = [&](K k) {
        return std::count_if(sink.modules.begin(), sink.modules.end(), [&](const ModuleEvent &m) { return m.kind == k; });
    };
    EXPECT_GE(count(K::statedump_start), 1);
    EXPECT_GE(count(K::statedump_end), 1);

    const auto exe = std::find_if(sink.modules.begin(), sink.modules.end(), [&](const ModuleEvent &m) {
        return m.kind == K::bin_info && m.path == rec.exe;
    });
    ASSERT_NE(exe, sink.modules.end()) << "no bin_info for " << rec.exe;
    EXPECT_EQ(exe->baddr, rec.exe_base);
    EXPECT_GT(exe->memsz, rec.text_hi - rec.exe_base - 1);
    EXPECT_TRUE(exe->is_pic);
    EXPECT_EQ(exe->pid, rec.pid);
    const auto exe_id = std::find_if(sink.modules.begin(), sink.modules.end(), [&](const ModuleEvent &m) {
        return m.kind == K::build_id && m.baddr == rec.exe_base;
    });
    ASSERT_NE(exe_id, sink.modules.end());
    EXPECT_EQ(test::hex(exe_id->build_id), rec.build_id);

    // A library with a debug link: libc.
    EXPECT_TRUE(std::any_of(sink.modules.begin(), sink.modules.end(), [](const ModuleEvent &m) {
        return m.kind == K::debug_link && !m.debug_link.empty() && m.crc != 0;
    }));

    // The dlopen after start: lttng_ust_lib:load, then unload at the same base.
    ASSERT_FALSE(rec.dlopened.empty());
    const auto load = std::find_if(sink.modules.begin(), sink.modules.end(), [&](const ModuleEvent &m) {
        return m.kind == K::load && std::filesystem::equivalent(m.path, rec.dlopened);
    });
    ASSERT_NE(load, sink.modules.end()) << "no lttng_ust_lib:load for " << rec.dlopened;
    EXPECT_NE(load->baddr, 0u);
    EXPECT_GT(load->memsz, 0u);
    EXPECT_TRUE(std::any_of(sink.modules.begin(), sink.modules.end(), [&](const ModuleEvent &m) {
        return m.kind == K::unload && m.baddr == load->baddr && m.time_ns >= load->time_ns;
    }));
}

TEST(TraceReader, ObjectKindsAreInternedAndOutliveTheRead)
{
    TraceReader reader(recorded() / "good");
    CollectingSink sink;
    reader.read(sink);
    std::set<const char *> page_views;
    for (const Event &e : sink.events)
        if (e.op == Op::obj_init && e.kind == "page")
            page_views.insert(e.kind.data());
    EXPECT_EQ(page_views.size(), 1u);
    // A second read through a new graph hands out the same interned views.
    CollectingSink again;
    reader.read(again);
    for (const Event &e : again.events)
        if (e.op == Op::obj_init && e.kind == "page") {
            EXPECT_EQ(e.kind.data(), *page_views.begin());
        }
}

TEST(TraceReader, TwoProcessesAreTwoTracesMergedInTimeOrderThroughOneGraph)
{
    const ProgramRecord a = load_record(recorded() / "pair_a.out");
    const ProgramRecord b = load_record(recorded() / "pair_b.out");
    TraceReader reader(recorded() / "pair");
    ASSERT_EQ(reader.traces().size(), 2u);
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    EXPECT_EQ(sum.traces_read, 2u);
    EXPECT_EQ(sum.refblame_events, a.ops_list.size() + b.ops_list.size());
    EXPECT_TRUE(time_ordered(sink.events));

    std::vector<Event> ea, eb;
    int switches = 0;
    for (std::size_t i = 0; i < sink.events.size(); ++i) {
        const Event &e = sink.events[i];
        (e.pid == a.pid ? ea : eb).push_back(e);
        EXPECT_TRUE(e.pid == a.pid || e.pid == b.pid);
        if (i > 0 && e.pid != sink.events[i - 1].pid)
            ++switches;
    }
    expect_same_ops(ea, a.ops_list);
    expect_same_ops(eb, b.ops_list);
    // The programs did their ops 1 ms apart, alternately: the merge interleaves them.
    EXPECT_GE(switches, 10);
    // Each process's streams have their own indexes.
    EXPECT_NE(ea.front().stream, eb.front().stream);
}

TEST(TraceReader, TraceWithoutContextsTakesPidFromThePerPidEnvironmentAndSaysTidsAreUnknown)
{
    const ProgramRecord rec = load_record(recorded() / "nocontext.out");
    TraceReader reader(recorded() / "nocontext");
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    ASSERT_EQ(sink.events.size(), rec.ops_list.size());
    for (const Event &e : sink.events) {
        EXPECT_EQ(e.pid, rec.pid);
        EXPECT_EQ(e.tid, unknown_id);
    }
    // Per-thread order cannot be told apart without vtid; per object it can.
    for (const auto &[tid, ops] : rec.by_tid()) {
        std::vector<Event> same_obj;
        for (const Event &e : sink.events)
            if (e.obj == ops.front().obj)
                same_obj.push_back(e);
        expect_same_ops(same_obj, ops, false);
    }
    EXPECT_TRUE(has_warning(sum.warnings, {"vtid", "thread ids unknown"}));
    // The per-PID trace names its process: no vpid context needed, no warning.
    EXPECT_FALSE(has_warning(sum.warnings, {"vpid"}));
}

TEST(TraceReader, PerUidTraceWithoutContextsHasUnknownPidsAndSaysSo)
{
    const ProgramRecord rec = load_record(recorded() / "nocontext_uid.out");
    TraceReader reader(recorded() / "nocontext_uid");
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    ASSERT_EQ(sink.events.size(), rec.ops_list.size());
    for (const Event &e : sink.events) {
        EXPECT_EQ(e.pid, unknown_id);
        EXPECT_EQ(e.tid, unknown_id);
    }
    EXPECT_TRUE(has_warning(sum.warnings, {"process ids unknown"}));
}

TEST(TraceReader, DiscardedEventsBecomeLossesWithStreamPidAndTimeRange)
{
    const ProgramRecord rec = load_record(recorded() / "loss.out");
    TraceReader reader(recorded() / "loss");
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    ASSERT_GT(rec.ops, 0u);
    ASSERT_LT(sum.refblame_events, rec.ops) << "tiny discard-mode buffers should have lost events";
    ASSERT_FALSE(sink.losses.empty());
    EXPECT_EQ(sum.losses, sink.losses.size());
    std::uint64_t counted = 0;
    for (const Loss &l : sink.losses) {
        EXPECT_EQ(l.pid, rec.pid);
        EXPECT_LT(l.stream, sum.streams);
        EXPECT_FALSE(l.packets);
        EXPECT_LT(l.begin_ns, l.end_ns);
        EXPECT_GE(l.end_ns, sum.first_ns);
        EXPECT_NE(l.trace.find("loss"), std::string::npos);
        counted += l.count;
    }
    EXPECT_EQ(counted, sum.lost_events);
    // Every event the program emitted was either read or counted lost (when
    // the counts are trustworthy; an implausible one is 0 and says so).
    if (!has_warning(sum.warnings, {"wrapped"})) {
        EXPECT_EQ(sum.refblame_events + sum.lost_events, rec.ops);
    }
}

TEST(TraceReader, AcceptsTheMetadataFileOrASingleTraceDirectoryAsThePath)
{
    const auto dirs = test::ctf_dirs(recorded() / "good");
    ASSERT_EQ(dirs.size(), 1u);
    for (const auto &path : {dirs.front(), dirs.front() / "metadata"}) {
        TraceReader reader(path);
        CollectingSink sink;
        EXPECT_EQ(reader.read(sink).refblame_events, load_record(recorded() / "good.out").ops_list.size());
    }
}

TEST(TraceReader, ExceptionFromTheEventSinkStopsTheGraphAndReachesTheCaller)
{
    struct Throwing : CollectingSink {
        void on_event(const Event &e) override
        {
            if (events.size() == 5)
                throw std::runtime_error("sink is full");
            CollectingSink::on_event(e);
        }
    } sink;
    TraceReader reader(recorded() / "good");
    EXPECT_THROW(
        {
            try {
                reader.read(sink);
            } catch (const std::runtime_error &e) {
                EXPECT_STREQ(e.what(), "sink is full");
                throw;
            }
        },
        std::runtime_error);
    EXPECT_EQ(sink.events.size(), 5u);
    // The reader is still usable afterwards.
    CollectingSink fine;
    EXPECT_GT(reader.read(fine).refblame_events, 0u);
}

TEST(TraceReader, HandsOnEachCallStackBeforeTheFirstEventUsingIt)
{
    const ProgramRecord rec = load_record(recorded() / "stacks.out");
    TraceReader reader(recorded() / "stacks");
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    EXPECT_EQ(sum.refblame_events, rec.ops_list.size()) << "stack definitions are not ops";
    EXPECT_EQ(sum.stack_events, sink.stacks.size());
    ASSERT_FALSE(sink.stacks.empty());
    std::map<std::uint32_t, std::size_t> defined_before; // id -> events handed on before its definition
    for (std::size_t i = 0; i < sink.stacks.size(); ++i) {
        const StackEvent &s = sink.stacks[i];
        EXPECT_EQ(s.pid, rec.pid);
        EXPECT_TRUE(defined_before.emplace(s.id, sink.stacks_before[i]).second) << "stack " << s.id << " twice";
        EXPECT_GE(s.frames.size(), 1u);
        EXPECT_LE(s.frames.size(), 4u) << "REFBLAME_STACK=4";
        for (std::uint64_t f : s.frames)
            EXPECT_NE(f, 0u);
    }
    for (std::size_t i = 0; i < sink.events.size(); ++i) {
        const Event &e = sink.events[i];
        ASSERT_NE(e.stack_id, 0u) << "event " << i << " has no stack under REFBLAME_STACK=4";
        auto it = defined_before.find(e.stack_id);
        ASSERT_NE(it, defined_before.end()) << "stack " << e.stack_id << " never defined";
        EXPECT_LE(it->second, i) << "stack " << e.stack_id << " defined after event " << i << " used it";
    }
}

TEST(TraceReader, ATraceWithoutStacksHasNoStackIdsAndNoDefinitions)
{
    TraceReader reader(recorded() / "good");
    CollectingSink sink;
    EXPECT_EQ(reader.read(sink).stack_events, 0u);
    EXPECT_TRUE(sink.stacks.empty());
    for (const Event &e : sink.events)
        EXPECT_EQ(e.stack_id, 0u);
}

} // namespace
} // namespace refblame::analyzer
