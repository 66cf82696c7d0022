// signal_forwarder.cpp: while recording, SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to refblame go to the traced program instead.
#include "signal_forwarder.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>

namespace refblame::tracer {

namespace {

constexpr int forwarded[4] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

std::atomic<pid_t> child_pid{0};
std::atomic<int> pending_signal{0};

static_assert(std::atomic<pid_t>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

// Async-signal-safe: atomics and kill() only.
void on_signal(int sig, siginfo_t *info, void *)
{
    int saved_errno = errno;
    pid_t pid = child_pid.load();
    if (pid > 0) {
        // SI_KERNEL: the terminal sent it to the whole foreground group, the
        // child included; sending it again would deliver it twice.
        if (info->si_code != SI_KERNEL)
            kill(pid, sig);
    } else {
        int none = 0;
        pending_signal.compare_exchange_strong(none, sig);
    }
    errno = saved_errno;
}

} // namespace

SignalForwarder::SignalForwarder()
{
    child_pid = 0;
    pending_signal = 0;
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 4; i++) {
        sigaction(forwarded[i], nullptr, &saved_[i]);
        if (saved_[i].sa_handler != SIG_IGN)
            sigaction(forwarded[i], &sa, nullptr);
    }
}

SignalForwarder::~SignalForwarder()
{
    for (int i = 0; i < 4; i++)
        sigaction(forwarded[i], &saved_[i], nullptr);
    child_pid = 0;
}

sigset_t SignalForwarder::signals()
{
    sigset_t set;
    sigemptyset(&set);
    for (int sig : forwarded)
        sigaddset(&set, sig);
    return set;
}

void SignalForwarder::set_child(pid_t pid)
{
    child_pid = pid;
}

int SignalForwarder::pending() const
{
    return pending_signal.load();
}

void SignalForwarder::restore_in_child() const
{
    for (int i = 0; i < 4; i++)
        sigaction(forwarded[i], &saved_[i], nullptr);
}

} // namespace refblame::tracer
