// child_process_test.cpp: running the traced program: exit status (128 + signal), environment, signals forwarded from refblame, exec failures.
#include "child_process.hpp"

#include "signal_forwarder.hpp"
#include "user_error.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace refblame::tracer;
namespace fs = std::filesystem;

namespace {

int run_sh(const std::string &script, const std::vector<std::string> &env = {"PATH=/usr/bin:/bin"})
{
    SignalForwarder forwarder;
    ChildProcess child("/bin/sh", {"sh", "-c", script}, env, forwarder);
    return child.wait();
}

class TempDir : public ::testing::Test {
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/rb-child-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path dir;
};

void wait_for(const fs::path &p)
{
    for (int i = 0; i < 1000 && !fs::exists(p); i++)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(fs::exists(p)) << p;
}

} // namespace

TEST(ChildProcess, ReturnsTheProgramsExitCode)
{
    EXPECT_EQ(run_sh("exit 0"), 0);
    EXPECT_EQ(run_sh("exit 3"), 3);
    EXPECT_EQ(run_sh("exit 255"), 255);
}

TEST(ChildProcess, Returns128PlusTheSignalThatKilledIt)
{
    EXPECT_EQ(run_sh("kill -KILL $$"), 128 + SIGKILL);
    EXPECT_EQ(run_sh("kill -SEGV $$"), 128 + SIGSEGV);
}

TEST(ChildProcess, RunsWithExactlyTheGivenEnvironmentAndArgv0)
{
    EXPECT_EQ(run_sh("test \"$FOO\" = bar && test -z \"$HOME_SHOULD_NOT_LEAK\"", {"FOO=bar", "PATH=/bin"}), 0);
    SignalForwarder forwarder;
    ChildProcess child("/bin/sh", {"custom-name", "-c", "test \"$0\" = custom-name"}, {}, forwarder);
    EXPECT_EQ(child.wait(), 0);
}

TEST(ChildProcess, CallsTheWatcherWhileTheProgramRuns)
{
    SignalForwarder forwarder;
    ChildProcess child("/bin/sh", {"sh", "-c", "sleep 0.3"}, {"PATH=/usr/bin:/bin"}, forwarder);
    int calls = 0;
    EXPECT_EQ(child.wait([&] {
        calls++;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }),
              0);
    EXPECT_GT(calls, 5);
}

TEST_F(TempDir, ForwardsSigtermAndSigintSentToRefblame)
{
    for (int sig : {SIGTERM, SIGINT}) {
        fs::path ready = dir / ("ready-" + std::to_string(sig));
        SignalForwarder forwarder;
        // The program catches the signal and exits with a code of its own:
        // it got the signal and refblame (this process) did not die of it.
        ChildProcess child("/bin/sh",
                           {"sh", "-c", "trap 'exit 42' TERM INT; touch " + ready.string() + "; while :; do sleep 0.02; done"},
                           {"PATH=/usr/bin:/bin"}, forwarder);
        wait_for(ready);
        kill(getpid(), sig);
        EXPECT_EQ(child.wait(), 42) << "signal " << sig;
    }
}

TEST(ChildProcess, ASignalBeforeTheStartCancelsTheProgram)
{
    SignalForwarder forwarder;
    kill(getpid(), SIGINT);
    EXPECT_EQ(forwarder.pending(), SIGINT);
    ChildProcess child("/bin/sh", {"sh", "-c", "exit 0"}, {}, forwarder);
    EXPECT_FALSE(child.started());
    EXPECT_EQ(child.wait(), 128 + SIGINT);
}

TEST(ChildProcess, IgnoredSignalsStayIgnoredInTheProgram)
{
    struct sigaction ignore {}, old {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGHUP, &ignore, &old);
    EXPECT_EQ(run_sh("kill -HUP $$; exit 5"), 5);
    sigaction(SIGHUP, &old, nullptr);
    EXPECT_EQ(run_sh("kill -HUP $$; exit 5"), 128 + SIGHUP);
}

TEST_F(TempDir, AnUnrunnableFileIsAUserErrorNamingIt)
{
    fs::path junk = dir / "junk";
    std::ofstream(junk) << "\x7f" "ELF not really";
    chmod(junk.c_str(), 0755);
    SignalForwarder forwarder;
    try {
        ChildProcess child(junk, {"junk"}, {}, forwarder);
        FAIL() << "started a file that cannot be executed";
    } catch (const refblame::UserError &e) {
        EXPECT_NE(std::string(e.what()).find("cannot run program " + junk.string()), std::string::npos) << e.what();
    }
}

TEST(ChildProcess, ExitStatusOfMapsWaitStatuses)
{
    EXPECT_EQ(exit_status_of(7 << 8), 7);
    EXPECT_EQ(exit_status_of(SIGTERM), 128 + SIGTERM);
}
