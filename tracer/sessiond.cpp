// sessiond.cpp: the LTTng session daemon a recording talks to: reuse the live one, else start one and stop it (by pid) afterwards.
#include "sessiond.hpp"

#include "lttng_ctl.hpp"
#include "process_tree.hpp"
#include "program_path.hpp"
#include "user_error.hpp"

#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <spawn.h>
#include <system_error>
#include <vector>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

namespace refblame::tracer {

namespace {

using namespace std::chrono_literals;

bool alive()
{
    return ctl().lttng_session_daemon_alive() == 1;
}

template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

std::string comm_of(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string comm;
    std::getline(in, comm);
    return comm;
}

// The processes below `pid` (lttng-sessiond's consumer daemons and their run-as helpers).
std::vector<pid_t> descendants(pid_t pid)
{
    std::vector<pid_t> found;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename();
        pid_t p = 0;
        const auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), p);
        if (err == std::errc() && end == name.data() + name.size() && p != pid &&
            membership_of(p, pid) == Membership::ours)
            found.push_back(p);
    }
    return found;
}

pid_t read_pid(const std::filesystem::path &file)
{
    std::ifstream in(file);
    long pid = 0;
    if (!(in >> pid) || pid <= 0)
        return 0;
    return static_cast<pid_t>(pid);
}

} // namespace

std::filesystem::path sessiond_pid_file()
{
    if (geteuid() == 0)
        return "/var/run/lttng/lttng-sessiond.pid";
    const char *home = std::getenv("LTTNG_HOME");
    if (!home || !*home)
        home = std::getenv("HOME");
    if (!home || !*home)
        throw UserError("neither LTTNG_HOME nor HOME is set: LTTng needs one of them to find this user's session daemon");
    return std::filesystem::path(home) / ".lttng" / "lttng-sessiond.pid";
}

SessionDaemon::SessionDaemon()
{
    if (alive())
        return;

    std::filesystem::path pid_file = sessiond_pid_file();
    std::filesystem::path sessiond;
    try {
        sessiond = find_program("lttng-sessiond", std::getenv("PATH"));
    } catch (const UserError &) {
        throw UserError("no LTTng session daemon is running and lttng-sessiond is not in PATH: install lttng-tools, "
                        "or start a daemon yourself (lttng-sessiond --daemonize)");
    }

    const char *argv[] = {"lttng-sessiond", "--daemonize", "--no-kernel", nullptr};
    pid_t launcher = 0;
    int rc = posix_spawn(&launcher, sessiond.c_str(), nullptr, nullptr, const_cast<char **>(argv), environ);
    if (rc != 0)
        throw UserError("cannot run " + sessiond.string() + ": " + std::strerror(rc));
    int status = 0;
    while (waitpid(launcher, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw UserError("no LTTng session daemon is running and `" + sessiond.string() +
                        " --daemonize --no-kernel` failed (status " + std::to_string(status) +
                        "; its messages are above): start one yourself, or fix what it reports");
    if (!wait_until(alive, 10s))
        throw UserError("started lttng-sessiond, but it did not answer within 10 s; see " + pid_file.parent_path().string());

    pid_ = read_pid(pid_file);
    if (pid_ <= 0)
        std::fprintf(stderr, "refblame: warning: started lttng-sessiond but cannot read its pid from %s; it will keep running\n",
                     pid_file.c_str());
    else
        std::fprintf(stderr, "refblame: started lttng-sessiond (pid %d); it will be stopped at the end\n", pid_);
}

SessionDaemon::~SessionDaemon()
{
    if (pid_ <= 0)
        return;
    // Only the daemon we started, and only while the pid still names it.
    if (comm_of(pid_) != "lttng-sessiond")
        return;
    kill(pid_, SIGTERM);
    auto gone = [this] {
        waitpid(pid_, nullptr, WNOHANG); // in case it is our child after all
        return kill(pid_, 0) != 0 && errno == ESRCH;
    };
    if (!wait_until(gone, term_grace_)) {
        std::fprintf(stderr, "refblame: warning: lttng-sessiond (pid %d) did not stop on SIGTERM; killing it\n", pid_);
        // Its consumer daemons too: one that is stopped or hung would outlive it forever.
        const std::vector<pid_t> helpers = descendants(pid_);
        kill(pid_, SIGKILL);
        for (pid_t h : helpers)
            kill(h, SIGKILL);
        wait_until(gone, 5s);
    }
}

} // namespace refblame::tracer
