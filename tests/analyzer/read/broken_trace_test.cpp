// broken_trace_test.cpp: TraceReader on broken inputs (copies of a real trace, cut or corrupted): a clear error naming the file, or a labelled partial result; never a crash or a hang.
#include "read/trace_reader.hpp"
#include "read_test_support.hpp"
#include "sanitizers.hpp"
#include "user_error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#ifdef REFBLAME_ASAN
#include <sanitizer/lsan_interface.h>
#endif

namespace refblame::analyzer {
namespace {

namespace fs = std::filesystem;
using test::CollectingSink;
using test::has_warning;
using test::load_record;
using test::recorded;
using test::TempDir;

// The message of the UserError reading `path` throws ("" when none).
std::string read_error(const fs::path &path)
{
    try {
        TraceReader reader(path);
        CollectingSink sink;
        reader.read(sink);
    } catch (const UserError &e) {
        return e.what();
    }
    return "";
}

// A copy of the good trace's one CTF trace directory, in `tmp`.
fs::path copy_good(const TempDir &tmp)
{
    const auto dirs = test::ctf_dirs(recorded() / "good");
    EXPECT_EQ(dirs.size(), 1u);
    const fs::path dst = tmp.path() / "trace";
    fs::copy(dirs.front(), dst, fs::copy_options::recursive);
    return dst;
}

std::string slurp(const fs::path &p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void spill(const fs::path &p, const std::string &bytes)
{
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(BrokenTrace, MissingPathIsAUserErrorNamingIt)
{
    const std::string msg = read_error("/nonexistent/refblame-trace");
    EXPECT_NE(msg.find("/nonexistent/refblame-trace"), std::string::npos) << msg;
    EXPECT_NE(msg.find("no such file"), std::string::npos) << msg;
}

TEST(BrokenTrace, EmptyDirectoryIsAUserErrorSayingItIsEmpty)
{
    TempDir tmp;
    const std::string msg = read_error(tmp.path());
    EXPECT_NE(msg.find(tmp.path().string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("empty"), std::string::npos) << msg;
}

TEST(BrokenTrace, DirectoryWithoutCtfTraceIsAUserErrorSayingNoTraceFound)
{
    TempDir tmp;
    fs::create_directories(tmp.path() / "sub");
    spill(tmp.path() / "sub" / "notes.txt", "not a trace");
    const std::string msg = read_error(tmp.path());
    EXPECT_NE(msg.find("no CTF trace found"), std::string::npos) << msg;
}

TEST(BrokenTrace, MetadataCutMidPacketIsAUserErrorNotAHang)
{
    TempDir tmp;
    const fs::path t = copy_good(tmp);
    const std::string meta = slurp(t / "metadata");
    ASSERT_GT(meta.size(), 5000u);
    spill(t / "metadata", meta.substr(0, 5000)); // babeltrace2 2.0.4 loops forever on this
    const std::string msg = read_error(t);
    EXPECT_NE(msg.find((t / "metadata").string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(BrokenTrace, EmptyMetadataIsAUserErrorNamingIt)
{
    TempDir tmp;
    const fs::path t = copy_good(tmp);
    spill(t / "metadata", "");
    const std::string msg = read_error(t);
    EXPECT_NE(msg.find((t / "metadata").string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("empty"), std::string::npos) << msg;
}

TEST(BrokenTrace, CorruptMetadataTextIsAUserErrorNamingTheMetadataFile)
{
    TempDir tmp;
    const fs::path t = copy_good(tmp);
    std::string meta = slurp(t / "metadata");
    const std::size_t at = meta.find("event {", 3000);
    ASSERT_NE(at, std::string::npos);
    meta[at + 2] = 'X'; // "evXnt {": a TSDL syntax error, same size
    spill(t / "metadata", meta);
    const std::string msg = read_error(t);
    EXPECT_NE(msg.find((t / "metadata").string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("cannot parse"), std::string::npos) << msg;
}

TEST(BrokenTrace, RefblameEventLackingAFieldIsAUserErrorNamingTheTraceAndField)
{
    TempDir tmp;
    const fs::path t = copy_good(tmp);
    std::string meta = slurp(t / "metadata");
    // Rename the `count` payload field (same length: the binary layout is unchanged).
    std::size_t n = 0;
    for (std::size_t at = meta.find("} _count;"); at != std::string::npos; at = meta.find("} _count;", at + 1), ++n)
        meta.replace(at, 9, "} _cuont;");
    ASSERT_GT(n, 0u);
    spill(t / "metadata", meta);
    const std::string msg = read_error(t);
    EXPECT_NE(msg.find(t.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("`count`"), std::string::npos) << msg;
}

TEST(BrokenTrace, UnknownRefblameEventOfANewerFormatIsIgnoredWithAWarning)
{
    TempDir tmp;
    const fs::path t = copy_good(tmp);
    std::string meta = slurp(t / "metadata");
    const std::size_t at = meta.find("\"refblame:ref_set\"");
    ASSERT_NE(at, std::string::npos);
    meta.replace(at, 18, "\"refblame:ref_new\""); // same length
    spill(t / "metadata", meta);

    const test::ProgramRecord rec = load_record(recorded() / "good.out");
    TraceReader reader(t);
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    EXPECT_TRUE(has_warning(sum.warnings, {"refblame:ref_new", "ignored"})) << ::testing::PrintToString(sum.warnings);
    const auto sets = std::count_if(rec.ops_list.begin(), rec.ops_list.end(),
                                    [](const test::RecordedOp &op) { return op.name == "ref_set"; });
    ASSERT_GT(sets, 0);
    EXPECT_EQ(sink.events.size(), rec.ops_list.size() - static_cast<std::size_t>(sets));
    for (const Event &e : sink.events)
        EXPECT_NE(e.op, Op::set);
}

TEST(BrokenTrace, TraceWithoutRefblameEventsIsAUserErrorSayingSo)
{
    const std::string msg = read_error(recorded() / "norefblame");
    EXPECT_NE(msg.find((recorded() / "norefblame").string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("no refblame events"), std::string::npos) << msg;
}

TEST(BrokenTrace, StreamFileCutMidPacketIsSkippedAndTheRestIsReadWithAWarningAndALoss)
{
    // ops_program pins its main thread to CPU 0 and its second thread to
    // CPU 1: cutting ch_1 loses the second thread's events only.
    TempDir tmp;
    const fs::path t = copy_good(tmp);
    const fs::path cut = t / "ch_1";
    ASSERT_TRUE(fs::exists(cut));
    fs::resize_file(cut, fs::file_size(cut) - 1000);

    const test::ProgramRecord rec = load_record(recorded() / "good.out");
    TraceReader reader(t);
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    EXPECT_FALSE(sum.complete);
    EXPECT_TRUE(has_warning(sum.warnings, {cut.string(), "skipped"})) << ::testing::PrintToString(sum.warnings);

    const std::int32_t main_tid = rec.pid; // the main thread's tid is the pid
    const auto threads = rec.by_tid();
    ASSERT_EQ(threads.size(), 2u);
    std::size_t main_events = 0;
    for (const Event &e : sink.events) {
        EXPECT_EQ(e.tid, main_tid) << "events of the thread on CPU 1 were in the cut file";
        main_events += e.tid == main_tid;
    }
    EXPECT_EQ(main_events, threads.at(main_tid).size());

    ASSERT_EQ(sink.losses.size(), 1u);
    EXPECT_EQ(sink.losses[0].stream, unread_stream);
    EXPECT_EQ(sink.losses[0].pid, rec.pid);
    EXPECT_EQ(sink.losses[0].trace, t.string());
}

TEST(BrokenTrace, CorruptBytesInsideAStreamStopReadingWithAPartialResultThatSaysWhere)
{
    TempDir tmp;
    const fs::path t = copy_good(tmp);
    std::string bytes = slurp(t / "ch_0");
    ASSERT_GT(bytes.size(), 1000u);
    // Past the packet header and context and the first event (ch_0 holds only
    // the main thread's events: see record_traces.cpp), headers and payloads
    // become 0xff.
    std::fill(bytes.begin() + 200, bytes.end() - 96, '\xff');
    spill(t / "ch_0", bytes);

    const test::ProgramRecord rec = load_record(recorded() / "good.out");
    TraceReader reader(t);
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    EXPECT_FALSE(sum.complete);
    EXPECT_TRUE(has_warning(sum.warnings, {"reading stopped", "corrupt data", t.string()}))
        << ::testing::PrintToString(sum.warnings);
    EXPECT_LT(sum.refblame_events, rec.ops_list.size());
    // What was read is a prefix of each thread's ops, with the right values,
    // but for the event the corruption starts in: it decodes (0xff fields)
    // before the next header fails; the replay's count continuity flags it.
    for (const auto &[tid, ops] : rec.by_tid()) {
        std::vector<Event> mine;
        for (const Event &e : sink.events)
            if (e.tid == tid)
                mine.push_back(e);
        ASSERT_LE(mine.size(), ops.size());
        for (std::size_t i = 0; i + 1 < mine.size(); ++i) {
            EXPECT_EQ(mine[i].obj, ops[i].obj) << "op " << i;
            EXPECT_EQ(mine[i].count, ops[i].count) << "op " << i;
        }
    }
}

TEST(BrokenTrace, CorruptBytesBeforeAnyRefblameEventAreAUserErrorNamingTheTrace)
{
    TempDir tmp;
    const fs::path t = copy_good(tmp);
    std::string bytes = slurp(t / "ch_0");
    // LTTng 2.13's packet header (32 bytes) and context (52) end at byte 84;
    // the first event header starts at 88 (8-byte aligned). The muxer needs
    // every stream's first event before it hands on anything.
    std::fill(bytes.begin() + 88, bytes.end() - 96, '\xff');
    spill(t / "ch_0", bytes);
    const std::string msg = read_error(t);
    EXPECT_NE(msg.find(t.string() + ": cannot read the trace"), std::string::npos) << msg;
    EXPECT_NE(msg.find("CTF stream"), std::string::npos) << msg;
}

// A trace of the fuzzers' template metadata and one stream file from the trace fuzzer's seed corpus.
fs::path fuzz_trace(const TempDir &tmp, const char *seed)
{
    const fs::path t = tmp.path() / "trace";
    fs::create_directories(t);
    fs::copy_file(fs::path(REFBLAME_FUZZ_DIR) / "trace_template" / "metadata", t / "metadata");
    fs::copy_file(fs::path(REFBLAME_FUZZ_DIR) / "corpus" / "trace" / seed, t / "refblame_0");
    return t;
}

TEST(BrokenTrace, EventsStampedBeforeEventsAlreadyReadKeepTheOrderAndAreWarned)
{
    // A stream found by trace_fuzzer whose corrupt packets go back in time: the reader promises time order.
    TempDir tmp;
    const fs::path t = fuzz_trace(tmp, "times-going-back");
    TraceReader reader(t);
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    ASSERT_GE(sink.events.size(), 2u);
    for (std::size_t i = 1; i < sink.events.size(); ++i)
        EXPECT_LE(sink.events[i - 1].time_ns, sink.events[i].time_ns) << "event " << i;
    EXPECT_FALSE(sum.complete);
    EXPECT_TRUE(has_warning(sum.warnings, {t.string(), "stamped earlier than events already read", "corrupt data"}))
        << ::testing::PrintToString(sum.warnings);
}

TEST(BrokenTrace, CorruptDataBabeltrace2ReadsPastIsWarnedAndTheNextReadDoesNotAbort)
{
    // A stream found by trace_fuzzer: src.ctf.fs 2.0.4 reports an error on it yet ends the stream with
    // success. Left pending in the thread, that error made the next Babeltrace2 call abort the process.
    TempDir tmp;
    const fs::path t = fuzz_trace(tmp, "error-left-by-babeltrace2");
#ifdef REFBLAME_ASAN
    __lsan::ScopedDisabler bt2_leaks; // Babeltrace2 2.0.4 itself leaks what it decoded of this stream
#endif
    TraceReader reader(t);
    for (int read = 0; read < 2; ++read) {
        CollectingSink sink;
        try {
            reader.read(sink);
            ADD_FAILURE() << "read " << read << ": no error, yet the stream holds no refblame event";
        } catch (const UserError &e) {
            const std::string msg = e.what();
            EXPECT_NE(msg.find("no refblame events"), std::string::npos) << msg;
            EXPECT_NE(msg.find("Babeltrace2 met corrupt data and read on"), std::string::npos) << msg;
        }
    }
}

TEST(BrokenTrace, AllStreamFilesCutIsAUserErrorNamingAFile)
{
    TempDir tmp;
    const fs::path t = copy_good(tmp);
    for (const char *name : {"ch_0", "ch_1"})
        fs::resize_file(t / name, fs::file_size(t / name) - 1000);
    const std::string msg = read_error(t);
    EXPECT_NE(msg.find(t.string() + "/ch_"), std::string::npos) << msg;
}

TEST(BrokenTrace, OneUnreadableTraceOfTwoIsSkippedWithAWarningAndTheOtherRead)
{
    TempDir tmp;
    fs::copy(recorded() / "pair", tmp.path() / "pair", fs::copy_options::recursive);
    const auto dirs = test::ctf_dirs(tmp.path() / "pair");
    ASSERT_EQ(dirs.size(), 2u);
    spill(dirs[0] / "metadata", "garbage");
    TraceReader reader(tmp.path() / "pair");
    CollectingSink sink;
    const ReadSummary sum = reader.read(sink);
    EXPECT_EQ(sum.traces_read, 1u);
    EXPECT_FALSE(sum.complete);
    EXPECT_TRUE(has_warning(sum.warnings, {(dirs[0] / "metadata").string(), "skipped"}))
        << ::testing::PrintToString(sum.warnings);
    EXPECT_EQ(sum.refblame_events, 21u); // obj_init + 20 ops of the other process
    ASSERT_FALSE(sink.losses.empty());
    EXPECT_EQ(sink.losses[0].trace, dirs[0].string());
}

} // namespace
} // namespace refblame::analyzer
