// trace_finder_test.cpp: finding the CTF traces below a TRACE path, and the messages when there are none.
#include "read/trace_finder.hpp"
#include "read_test_support.hpp"
#include "user_error.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace refblame::analyzer {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

void touch(const fs::path &p, const std::string &content = "x")
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
}

std::string error_of(const fs::path &p)
{
    try {
        find_traces(p);
    } catch (const UserError &e) {
        return e.what();
    }
    return "";
}

TEST(FindTraces, FindsEveryDirectoryHoldingMetadataWithItsStreamFiles)
{
    TempDir tmp;
    const fs::path a = tmp.path() / "ust/pid/prog-1-x", b = tmp.path() / "ust/pid/prog-2-x";
    touch(a / "metadata");
    touch(a / "ch_0");
    touch(a / "ch_1");
    touch(a / "index/ch_0.idx");
    touch(b / "metadata");
    touch(b / "ch_0");
    touch(tmp.path() / "ust/pid/notes.txt");
    const std::vector<TraceDir> t = find_traces(tmp.path());
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].dir, a);
    EXPECT_EQ(t[1].dir, b);
    EXPECT_EQ(t[0].streams, (std::vector<fs::path>{a / "ch_0", a / "ch_1"}));
    EXPECT_EQ(t[1].streams, (std::vector<fs::path>{b / "ch_0"}));
}

TEST(FindTraces, TheTraceDirectoryItselfOrItsMetadataFileIsOneTrace)
{
    TempDir tmp;
    touch(tmp.path() / "metadata");
    touch(tmp.path() / "ch_0");
    ASSERT_EQ(find_traces(tmp.path()).size(), 1u);
    const auto t = find_traces(tmp.path() / "metadata");
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].dir, tmp.path());
}

TEST(FindTraces, EmptyDirectorySaysEmpty)
{
    TempDir tmp;
    EXPECT_NE(error_of(tmp.path()).find("the directory is empty"), std::string::npos);
}

TEST(FindTraces, DirectoryWithoutMetadataSaysWhatItHolds)
{
    TempDir tmp;
    touch(tmp.path() / "a/b/file");
    const std::string msg = error_of(tmp.path());
    EXPECT_NE(msg.find("no CTF trace found"), std::string::npos) << msg;
    EXPECT_NE(msg.find("2 subdirectories"), std::string::npos) << msg;
}

TEST(FindTraces, MissingPathAndOrdinaryFileAreNamed)
{
    TempDir tmp;
    EXPECT_NE(error_of(tmp.path() / "nope").find((tmp.path() / "nope").string() + ": no such file"), std::string::npos);
    touch(tmp.path() / "trace.txt");
    EXPECT_NE(error_of(tmp.path() / "trace.txt").find("is a file, not a trace directory"), std::string::npos);
}

} // namespace
} // namespace refblame::analyzer
