// summary_test.cpp: what `refblame record` prints at the end: trace, processes, losses, warnings, the next command.
#include "summary.hpp"

#include <gtest/gtest.h>

#include <csignal>

using namespace refblame::tracer;

namespace {

RecordResult clean()
{
    RecordResult r;
    r.program = "./app";
    r.program_started = true;
    r.exit_status = 0;
    r.trace_dir = "/tmp/out dir";
    r.processes = 2;
    r.geometry = {2u << 20, 16};
    return r;
}

bool contains(const std::string &s, const std::string &part)
{
    return s.find(part) != std::string::npos;
}

} // namespace

TEST(Summary, NamesTheTraceProcessesLossesAndTheNextCommand)
{
    std::string s = format_summary(clean());
    EXPECT_TRUE(contains(s, "./app exited with status 0")) << s;
    EXPECT_TRUE(contains(s, "trace:            /tmp/out dir\n")) << s;
    EXPECT_TRUE(contains(s, "processes traced: 2\n")) << s;
    EXPECT_TRUE(contains(s, "discarded events: 0\n")) << s;
    EXPECT_TRUE(contains(s, "lost packets:     0\n")) << s;
    EXPECT_TRUE(contains(s, "32 MiB per CPU per process (16 x 2 MiB), blocking")) << s;
    EXPECT_TRUE(contains(s, "next: refblame blockers '/tmp/out dir'\n")) << s;
    EXPECT_FALSE(contains(s, "warning")) << s;
}

TEST(Summary, SaysWhichSignalKilledTheProgram)
{
    RecordResult r = clean();
    r.exit_status = 128 + SIGKILL;
    EXPECT_TRUE(contains(format_summary(r), "killed by signal 9 (KILL)"));
}

TEST(Summary, WarnsAboutLossWithTheRemedyForEachMode)
{
    RecordResult r = clean();
    r.loss.discarded_events = 12;
    std::string s = format_summary(r);
    EXPECT_TRUE(contains(s, "discarded events: 12\n")) << s;
    EXPECT_TRUE(contains(s, "larger --buffer-size (now 32 MiB)")) << s;
    r.policy = LossPolicy::discard;
    r.loss = {0, 3};
    s = format_summary(r);
    EXPECT_TRUE(contains(s, "lost packets:     3\n")) << s;
    EXPECT_TRUE(contains(s, "without --allow-loss")) << s;
}

TEST(Summary, ReportsLeftOutAndUnsureTracesAndEmptyRecordings)
{
    RecordResult r = clean();
    r.foreign = {"other-12-20240101-000000"};
    r.unsure = {"gone-13-20240101-000000"};
    r.processes = 0;
    std::string s = format_summary(r);
    EXPECT_TRUE(contains(s, "left out:         1 trace(s) of other processes")) << s;
    EXPECT_TRUE(contains(s, "other-12-20240101-000000")) << s;
    EXPECT_TRUE(contains(s, "kept gone-13-20240101-000000")) << s;
    EXPECT_TRUE(contains(s, "does ./app link librefblame?")) << s;
}

TEST(Summary, WarnsThatTheTraceMayBeIncompleteAndNamesASessionLeftToTheDaemon)
{
    RecordResult r = clean();
    r.incomplete = "LTTng wrote nothing more of the trace for 30 s";
    std::string s = format_summary(r);
    EXPECT_TRUE(contains(s, "warning: LTTng wrote nothing more of the trace for 30 s: the trace may lack its last events.\n"))
        << s;
    EXPECT_FALSE(contains(s, "lttng destroy")) << s; // the daemon refblame started is stopped with its sessions
    r.abandoned_session = "refblame-1-2";
    s = format_summary(r);
    EXPECT_TRUE(contains(s, "session refblame-1-2 is left to it; `lttng destroy refblame-1-2` once")) << s;
    r.incomplete.clear(); // the trace complete, the session's teardown given up on
    s = format_summary(r);
    EXPECT_FALSE(contains(s, "may lack")) << s;
    EXPECT_TRUE(contains(s, "`lttng destroy refblame-1-2`")) << s;
}

TEST(Summary, InterruptedBeforeTheStart)
{
    RecordResult r = clean();
    r.program_started = false;
    r.processes = 0;
    std::string s = format_summary(r);
    EXPECT_TRUE(contains(s, "interrupted before ./app started")) << s;
    EXPECT_FALSE(contains(s, "link librefblame")) << s;
}

TEST(ShellQuote, QuotesOnlyWhatNeedsIt)
{
    EXPECT_EQ(shell_quote("/tmp/plain-dir_1.x"), "/tmp/plain-dir_1.x");
    EXPECT_EQ(shell_quote("/tmp/a b"), "'/tmp/a b'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_quote(""), "''");
}
