// recording_info_test.cpp: the refblame-record.json `refblame record` leaves in the trace: how the program ended.
#include "recording_info.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

using namespace refblame::tracer;

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir()
    {
        char name[] = "/tmp/rb-recinfo-XXXXXX";
        path = mkdtemp(name);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

nlohmann::json written(const RecordResult &r)
{
    EXPECT_EQ(write_recording_info(r), "");
    std::ifstream in(r.trace_dir / "refblame-record.json");
    return nlohmann::json::parse(in);
}

} // namespace

TEST(RecordingInfo, SaysTheProgramPidExitStatusAndKillingSignal)
{
    TempDir dir;
    RecordResult r;
    r.program = "./app";
    r.program_started = true;
    r.program_pid = 4321;
    r.exit_status = 134;
    r.term_signal = 6;
    r.trace_dir = dir.path;
    const nlohmann::json j = written(r);
    EXPECT_EQ(j["format"], 1);
    EXPECT_EQ(j["program"], "./app");
    ASSERT_EQ(j["processes"].size(), 1u);
    EXPECT_EQ(j["processes"][0]["pid"], 4321);
    EXPECT_EQ(j["processes"][0]["exit_status"], 134);
    EXPECT_EQ(j["processes"][0]["signal"], 6);
}

TEST(RecordingInfo, SaysWhyTheTraceMayBeIncompleteOnlyWhenItMayBe)
{
    TempDir dir;
    RecordResult r;
    r.program = "./app";
    r.trace_dir = dir.path;
    EXPECT_FALSE(written(r).contains("incomplete"));
    r.incomplete = "the consumer daemon hung";
    EXPECT_EQ(written(r)["incomplete"], "the consumer daemon hung");
}

TEST(RecordingInfo, AProgramThatNeverStartedListsNoProcess)
{
    TempDir dir;
    RecordResult r;
    r.program = "./app";
    r.trace_dir = dir.path;
    EXPECT_TRUE(written(r)["processes"].empty());
}

TEST(RecordingInfo, AnUnwritableDirectoryIsReportedNotThrown)
{
    RecordResult r;
    r.program = "./app";
    r.trace_dir = "/nonexistent/refblame-trace";
    const std::string problem = write_recording_info(r);
    EXPECT_NE(problem.find("/nonexistent/refblame-trace/refblame-record.json"), std::string::npos) << problem;
}
