// recording_info_test.cpp: how the analyzer reads the recorder's refblame-record.json (present, absent, above the path, damaged).
#include "read/recording_info.hpp"
#include "read_test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace refblame::analyzer {
namespace {

namespace fs = std::filesystem;

void write(const fs::path &p, const std::string &text) { std::ofstream(p) << text; }

TEST(RecordingInfo, ReadsHowEachProcessEndedAndCallsOnlySignalsAbnormal)
{
    test::TempDir dir;
    write(dir.path() / "refblame-record.json",
          R"({"format": 1, "program": "/bin/prog", "processes": [
              {"pid": 42, "exit_status": 134, "signal": 6}, {"pid": 43, "exit_status": 137, "signal": 0}]})");
    const RecordingInfo info = read_recording_info(dir.path());
    ASSERT_EQ(info.ends.size(), 2u);
    EXPECT_TRUE(info.warnings.empty());
    EXPECT_EQ(info.ends[0].pid, 42);
    EXPECT_EQ(info.ends[0].program, "/bin/prog");
    EXPECT_TRUE(info.ends[0].abnormal());
    EXPECT_FALSE(info.ends[1].abnormal()); // exit(137) is not a kill
    const std::string w = abnormal_end_warning(info.ends[0]);
    EXPECT_NE(w.find("process 42 (/bin/prog) ended abnormally: killed by signal 6 (SIGABRT)"), std::string::npos) << w;
    EXPECT_EQ(abnormal_end_warning(info.ends[1]), "");
}

TEST(RecordingInfo, ATraceTheRecorderCallsIncompleteGetsAWarningSayingWhy)
{
    test::TempDir dir;
    const fs::path f = dir.path() / "refblame-record.json";
    write(f, R"({"format": 1, "program": "p", "processes": []})");
    EXPECT_EQ(incomplete_warning(read_recording_info(dir.path())), "");
    write(f, R"({"format": 1, "program": "p", "processes": [], "incomplete": "the consumer daemon hung"})");
    RecordingInfo info = read_recording_info(dir.path());
    EXPECT_TRUE(info.warnings.empty());
    const std::string w = incomplete_warning(info);
    EXPECT_NE(w.find("the recording did not end cleanly: the consumer daemon hung. The trace may lack its last events"),
              std::string::npos)
        << w;
    write(f, R"({"format": 1, "program": "p", "processes": [], "incomplete": 7})"); // damaged: said as such
    info = read_recording_info(dir.path());
    EXPECT_EQ(incomplete_warning(info), "");
    ASSERT_EQ(info.warnings.size(), 1u);
    EXPECT_NE(info.warnings[0].find(": cannot be used"), std::string::npos) << info.warnings[0];
}

TEST(RecordingInfo, IsFoundAboveAPerProcessTraceOrItsMetadata)
{
    test::TempDir dir;
    write(dir.path() / "refblame-record.json", R"({"format": 1, "program": "p", "processes": [
        {"pid": 7, "exit_status": 139, "signal": 11}]})");
    const fs::path ctf = dir.path() / "ust" / "pid" / "p-7-20250101-000000";
    fs::create_directories(ctf);
    write(ctf / "metadata", "");
    EXPECT_EQ(read_recording_info(ctf).ends.size(), 1u);
    EXPECT_EQ(read_recording_info(ctf / "metadata").ends.size(), 1u);
}

TEST(RecordingInfo, NoFileMeansNothingToSay)
{
    test::TempDir dir;
    const RecordingInfo info = read_recording_info(dir.path());
    EXPECT_TRUE(info.ends.empty());
    EXPECT_TRUE(info.warnings.empty());
}

TEST(RecordingInfo, ADamagedFileIsAWarningNamingItNotAnError)
{
    test::TempDir dir;
    const fs::path f = dir.path() / "refblame-record.json";
    for (const char *text : {R"({"format": 1, "program": )", R"({"format": 2, "program": "p", "processes": []})",
                             R"({"format": 1, "program": "p", "processes": [{"pid": "x"}]})",
                             R"({"format": 1, "program": "p", "processes": [{"pid": 1, "exit_status": 0, "signal": 999}]})"}) {
        write(f, text);
        const RecordingInfo info = read_recording_info(dir.path());
        EXPECT_TRUE(info.ends.empty()) << text;
        ASSERT_EQ(info.warnings.size(), 1u) << text;
        EXPECT_NE(info.warnings[0].find(f.string() + ": cannot be used"), std::string::npos) << info.warnings[0];
    }
}

} // namespace
} // namespace refblame::analyzer
