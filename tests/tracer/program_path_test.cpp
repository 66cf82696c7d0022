// program_path_test.cpp: finding the program to record like execvp, and the messages when it cannot run.
#include "program_path.hpp"

#include "user_error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace refblame::tracer;
namespace fs = std::filesystem;

namespace {

class ProgramPath : public ::testing::Test {
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/rb-progpath-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        fs::create_directories(dir / "a");
        fs::create_directories(dir / "b");
        make(dir / "b" / "tool", 0755);
        make(dir / "a" / "tool", 0644); // earlier in PATH but not executable
        make(dir / "a" / "plain", 0644);
    }
    void TearDown() override { fs::remove_all(dir); }
    static void make(const fs::path &p, mode_t mode)
    {
        std::ofstream(p) << "#!/bin/sh\n";
        chmod(p.c_str(), mode);
    }
    std::string error_of(const std::string &program, const std::string &path)
    {
        try {
            find_program(program, path.c_str());
        } catch (const refblame::UserError &e) {
            return e.what();
        }
        return "";
    }
    fs::path dir;
};

} // namespace

TEST_F(ProgramPath, LooksUpBareNamesInPathSkippingNonExecutables)
{
    std::string path = (dir / "a").string() + ":" + (dir / "b").string();
    EXPECT_EQ(find_program("tool", path.c_str()), dir / "b" / "tool");
}

TEST_F(ProgramPath, TakesNamesWithASlashAsPaths)
{
    EXPECT_EQ(find_program((dir / "b" / "tool").string(), "/nonexistent"), dir / "b" / "tool");
}

TEST_F(ProgramPath, UnsetOrEmptyPathMeansTheDefaultPath)
{
    fs::path found = find_program("sh", "");
    EXPECT_EQ(found, find_program("sh", nullptr));
    fs::path parent = found.parent_path();
    EXPECT_TRUE(parent == "/usr/local/bin" || parent == "/usr/bin" || parent == "/bin") << found;
    EXPECT_NE(error_of("tool", "").find("not found in PATH (/usr/local/bin:/usr/bin:/bin)"), std::string::npos);
}

TEST_F(ProgramPath, NamesTheProgramAndTheProblem)
{
    std::string path = (dir / "a").string();
    EXPECT_NE(error_of("nope", path).find("program nope: not found in PATH (" + path + ")"), std::string::npos);
    EXPECT_NE(error_of("plain", path).find("found " + (dir / "a" / "plain").string() + " but it is not executable"),
              std::string::npos);
    std::string missing = (dir / "missing").string();
    EXPECT_NE(error_of(missing, path).find("program " + missing + ": no such file"), std::string::npos);
    std::string plain = (dir / "a" / "plain").string();
    EXPECT_NE(error_of(plain, path).find("program " + plain + ": not executable"), std::string::npos);
    EXPECT_NE(error_of(dir.string(), path).find("is a directory"), std::string::npos);
    EXPECT_NE(error_of("", path).find("no program given"), std::string::npos);
}
