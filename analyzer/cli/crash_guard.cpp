// crash_guard.cpp: runs a query in a child process, so that a crash inside a library (Babeltrace2 2.0 asserts or
// faults on some damaged CTF streams) becomes a clear message and exit status 2 instead of a core dump.
#include "cli/crash_guard.hpp"

#include "user_error.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include <sys/wait.h>
#include <unistd.h>

namespace refblame::cli {

namespace {

int run_reporting_errors(const std::function<int()> &work)
{
    try {
        return work();
    } catch (const UserError &e) {
        std::fprintf(stderr, "refblame: %s\n", e.what());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "refblame: internal error: %s\n", e.what());
    }
    return 2;
}

bool is_crash(int sig)
{
    return sig == SIGSEGV || sig == SIGABRT || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGSYS;
}

} // namespace

int run_guarded(const std::string &trace, const std::function<int()> &work)
{
    std::fflush(nullptr);
    const pid_t child = fork();
    if (child < 0) // no child to spare: run unguarded
        return run_reporting_errors(work);
    if (child == 0)
        std::exit(run_reporting_errors(work)); // exit (not _exit): stdio flushed, sanitizers' exit checks run

    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR)
            return 2;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    const int sig = WTERMSIG(status);
    if (!is_crash(sig)) { // interrupted (Ctrl-C, kill, a closed pipe): end the same way
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return 128 + sig;
    }
    const char *name = sigabbrev_np(sig);
    std::fprintf(stderr,
                 "refblame: reading %s crashed (signal %d, SIG%s) before any answer: most likely a stream file of "
                 "the trace is damaged in a way Babeltrace2 does not survive (`babeltrace2 %s` shows the same; "
                 "move the damaged file out of the trace to analyze the rest). If babeltrace2 reads it, this is a "
                 "refblame bug: please report it with the trace.\n",
                 trace.c_str(), sig, name ? name : "?", trace.c_str());
    return 2;
}

} // namespace refblame::cli
