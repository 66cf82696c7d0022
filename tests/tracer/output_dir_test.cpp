// output_dir_test.cpp: the output directory: default name, refusals before anything starts, --force, and counting per-process traces.
#include "output_dir.hpp"

#include "user_error.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>

using namespace refblame::tracer;
namespace fs = std::filesystem;

namespace {

class OutputDir : public ::testing::Test {
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/rb-outdir-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
    }
    void TearDown() override { fs::remove_all(dir); }
    std::string error_of(const fs::path &p, bool force)
    {
        try {
            check_output_dir(p, force);
        } catch (const refblame::UserError &e) {
            return e.what();
        }
        return "";
    }
    fs::path dir;
};

} // namespace

TEST_F(OutputDir, DefaultNameHasTheProgramBasenameAndLocalTime)
{
    std::tm tm{};
    tm.tm_year = 2024 - 1900;
    tm.tm_mon = 2;
    tm.tm_mday = 5;
    tm.tm_hour = 7;
    tm.tm_min = 8;
    tm.tm_sec = 9;
    tm.tm_isdst = -1;
    auto when = std::chrono::system_clock::from_time_t(std::mktime(&tm));
    fs::path p = default_output_dir("/usr/bin/my-prog", when);
    EXPECT_TRUE(p.is_absolute());
    EXPECT_EQ(p.filename(), "refblame-my-prog-20240305-070809");
    EXPECT_EQ(p.parent_path(), fs::current_path());
}

TEST_F(OutputDir, AcceptsAnAbsentOrEmptyDirectory)
{
    EXPECT_EQ(error_of(dir / "new" / "deeper", false), "");
    EXPECT_EQ(error_of(dir, false), "");
    EXPECT_FALSE(fs::exists(dir / "new")) << "checking must not create anything";
}

TEST_F(OutputDir, RefusesANonEmptyDirectoryUnlessForced)
{
    std::ofstream(dir / "file") << "x";
    EXPECT_NE(error_of(dir, false).find(dir.string() + " is not empty"), std::string::npos);
    EXPECT_NE(error_of(dir, false).find("--force"), std::string::npos);
    EXPECT_EQ(error_of(dir, true), "");
}

TEST_F(OutputDir, RefusesAFileAndAnUncreatablePath)
{
    std::ofstream(dir / "file") << "x";
    EXPECT_NE(error_of(dir / "file", true).find("exists and is not a directory"), std::string::npos);
    EXPECT_NE(error_of(dir / "file" / "sub", false).find("is not a directory"), std::string::npos);
}

TEST_F(OutputDir, ForceReplacesOnlyThePreviousTrace)
{
    fs::create_directories(dir / "ust" / "pid" / "old-1-20240101-000000");
    std::ofstream(dir / "notes.txt") << "mine";
    std::string note = prepare_output_dir(dir, true);
    EXPECT_NE(note.find((dir / "ust").string()), std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "ust"));
    EXPECT_TRUE(fs::exists(dir / "notes.txt"));
    EXPECT_EQ(prepare_output_dir(dir, true), "") << "nothing to remove the second time";
}

TEST_F(OutputDir, PrepareCreatesMissingParents)
{
    EXPECT_EQ(prepare_output_dir(dir / "a" / "b", false), "");
    EXPECT_TRUE(fs::is_directory(dir / "a" / "b"));
}

TEST_F(OutputDir, CountsProcessesByThePidOfTheirTraces)
{
    EXPECT_EQ(count_processes(dir), 0u);
    // pid 2 exec'd: one trace before, one after.
    for (const char *name : {"p-1-20240101-000000", "p-2-20240101-000000", "q-2-20240101-000001", "weird"}) {
        fs::create_directories(dir / "ust" / "pid" / name / "index");
        std::ofstream(dir / "ust" / "pid" / name / "metadata") << "";
    }
    fs::create_directories(dir / "ust" / "pid" / "empty-4-20240101-000000");
    EXPECT_EQ(count_processes(dir), 3u);
}
