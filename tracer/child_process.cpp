// child_process.cpp: runs the traced program (fork + execve with a given environment) and waits for its exit status.
#include "child_process.hpp"

#include "signal_forwarder.hpp"
#include "user_error.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace refblame::tracer {

namespace {

std::vector<char *> c_strings(const std::vector<std::string> &v)
{
    std::vector<char *> out;
    out.reserve(v.size() + 1);
    for (const auto &s : v)
        out.push_back(const_cast<char *>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// Blocks the forwarded signals for its scope.
class BlockedSignals {
public:
    BlockedSignals()
    {
        sigset_t set = SignalForwarder::signals();
        pthread_sigmask(SIG_BLOCK, &set, &old_);
    }
    ~BlockedSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
    const sigset_t &old() const { return old_; }

private:
    sigset_t old_;
};

} // namespace

int exit_status_of(int wait_status)
{
    if (WIFEXITED(wait_status))
        return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status))
        return 128 + WTERMSIG(wait_status);
    return 255;
}

ChildProcess::ChildProcess(const std::filesystem::path &path, const std::vector<std::string> &argv,
                           const std::vector<std::string> &env, SignalForwarder &forwarder)
    : forwarder_(forwarder)
{
    std::vector<char *> c_argv = c_strings(argv);
    std::vector<char *> c_env = c_strings(env);

    // The child reports a failed execve through this pipe (closed on success).
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0)
        throw UserError(std::string("cannot start ") + path.string() + ": pipe: " + std::strerror(errno));

    {
        BlockedSignals blocked;
        if (forwarder_.pending() != 0) {
            close(report[0]);
            close(report[1]);
            return;
        }
        pid_ = fork();
        if (pid_ == 0) {
            // Only async-signal-safe calls from here to execve.
            close(report[0]);
            forwarder_.restore_in_child();
            pthread_sigmask(SIG_SETMASK, &blocked.old(), nullptr);
            execve(path.c_str(), c_argv.data(), c_env.data());
            int err = errno;
            ssize_t ignored = write(report[1], &err, sizeof err);
            (void)ignored;
            _exit(127);
        }
        if (pid_ > 0) {
            forwarder_.set_child(pid_);
            started_ = true;
        }
    }
    int fork_errno = errno;
    close(report[1]);
    if (pid_ < 0) {
        close(report[0]);
        throw UserError(std::string("cannot start ") + path.string() + ": fork: " + std::strerror(fork_errno));
    }

    int exec_errno = 0;
    ssize_t n;
    do
        n = read(report[0], &exec_errno, sizeof exec_errno);
    while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == static_cast<ssize_t>(sizeof exec_errno)) {
        wait();
        throw UserError("cannot run program " + path.string() + ": " + std::strerror(exec_errno));
    }
}

ChildProcess::~ChildProcess()
{
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        wait();
    }
}

int ChildProcess::wait(const std::function<void()> &while_running)
{
    if (pid_ <= 0)
        return 128 + forwarder_.pending();
    // Wait without reaping first, so that the pid cannot be reused by
    // another process while signals are still forwarded to it.
    for (;;) {
        siginfo_t info{};
        int options = WEXITED | WNOWAIT | (while_running ? WNOHANG : 0);
        if (waitid(P_PID, static_cast<id_t>(pid_), &info, options) != 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (info.si_pid == pid_)
            break;
        while_running();
    }
    forwarder_.set_child(0);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    term_signal_ = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return exit_status_of(status);
}

} // namespace refblame::tracer
