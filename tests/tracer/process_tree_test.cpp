// process_tree_test.cpp: telling the recorded program's per-PID traces from those of other processes, and removing the others.
#include "process_tree.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace refblame::tracer;
namespace fs = std::filesystem;

namespace {

std::string trace_dir_name(const std::string &procname, pid_t pid)
{
    return procname + "-" + std::to_string(pid) + "-20240101-120000";
}

// A child that sleeps until killed.
pid_t sleeper()
{
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    return pid;
}

void end(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
}

pid_t dead_pid()
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, nullptr, 0);
    return pid;
}

class ProcessTreeTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/rb-tree-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path dir;
};

} // namespace

TEST(TraceDirName, PidIsTheThirdFieldFromTheRight)
{
    EXPECT_EQ(pid_of_trace_dir("refs_wait_signa-7053-20261122-021924"), 7053);
    EXPECT_EQ(pid_of_trace_dir("my-prog-name-42-20240101-000000"), 42);
    EXPECT_EQ(pid_of_trace_dir("-9-20240101-000000"), 9);
    EXPECT_EQ(pid_of_trace_dir("prog-x1-20240101-000000"), -1);
    EXPECT_EQ(pid_of_trace_dir("20240101-000000"), -1);
    EXPECT_EQ(pid_of_trace_dir("metadata"), -1);
    EXPECT_EQ(pid_of_trace_dir("prog-0-20240101-000000"), -1);
}

TEST(Membership, ChildrenAreOursParentsAndInitAreNotDeadPidsAreUnknown)
{
    EXPECT_EQ(membership_of(getpid(), getpid()), Membership::ours);
    pid_t child = sleeper();
    EXPECT_EQ(membership_of(child, getpid()), Membership::ours);
    end(child);
    EXPECT_EQ(membership_of(getppid(), getpid()), Membership::foreign);
    EXPECT_EQ(membership_of(1, getpid()), Membership::foreign);
    EXPECT_EQ(membership_of(dead_pid(), getpid()), Membership::unknown);
}

TEST_F(ProcessTreeTest, RemovesTracesOfForeignProcessesKeepsOursAndTheUnsure)
{
    ProcessTree tree(dir);
    fs::path pid_dir = dir / "ust" / "pid";
    ASSERT_TRUE(fs::is_directory(pid_dir));
    pid_t child = sleeper();
    const std::string ours = trace_dir_name("mine", child);
    const std::string foreign = trace_dir_name("theirs", getppid());
    const std::string unsure = trace_dir_name("gone", dead_pid());
    for (const auto &name : {ours, foreign, unsure}) {
        fs::create_directories(pid_dir / name);
        std::ofstream(pid_dir / name / "metadata") << "";
    }
    tree.watch(200); // classified now, while `child` is alive
    end(child);
    ProcessTree::Outcome out = tree.remove_foreign();
    EXPECT_EQ(out.removed, std::vector<std::string>{foreign});
    EXPECT_EQ(out.unsure, std::vector<std::string>{unsure});
    EXPECT_TRUE(fs::exists(pid_dir / ours)) << "classified while alive: still ours after it exited";
    EXPECT_FALSE(fs::exists(pid_dir / foreign));
    EXPECT_TRUE(fs::exists(pid_dir / unsure));
}

TEST_F(ProcessTreeTest, OrphansOfTheProgramStayInTheTree)
{
    ProcessTree tree(dir);
    // sh starts a background sleeper and exits at once: the sleeper is
    // orphaned, and re-parented to us (the subreaper), not to init.
    fs::path pidfile = dir / "orphan.pid";
    pid_t sh = fork();
    if (sh == 0) {
        execl("/bin/sh", "sh", "-c", ("sleep 5 & echo $! > " + pidfile.string()).c_str(), (char *)nullptr);
        _exit(127);
    }
    waitpid(sh, nullptr, 0);
    pid_t orphan = 0;
    std::ifstream(pidfile) >> orphan;
    ASSERT_GT(orphan, 0);
    EXPECT_EQ(membership_of(orphan, getpid()), Membership::ours);
    end(orphan);
}
