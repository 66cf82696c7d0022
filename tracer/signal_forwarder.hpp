// signal_forwarder.hpp: while recording, SIGINT/SIGTERM/SIGHUP/SIGQUIT sent to refblame go to the traced program instead.
#pragma once

#include <csignal>
#include <sys/types.h>

namespace refblame::tracer {

// Installs the handlers for its lifetime (one instance at a time). A signal
// sent with kill() is forwarded to the child; one the terminal sent to the
// whole foreground process group is not (the child got it already). Either
// way refblame itself keeps running, so the trace is always stopped and kept.
// A signal arriving while there is no child is remembered (pending()).
// Signals refblame was started with ignored stay ignored.
class SignalForwarder {
public:
    SignalForwarder();
    ~SignalForwarder();
    SignalForwarder(const SignalForwarder &) = delete;
    SignalForwarder &operator=(const SignalForwarder &) = delete;

    // The signals handled here, as a set (to block around fork()).
    static sigset_t signals();
    // Forward to `pid` from now on; 0: no child (before it starts, after it exits).
    void set_child(pid_t pid);
    // The first signal received while there was no child, 0 if none.
    int pending() const;
    // Puts back the dispositions refblame started with (in a forked child,
    // before exec: ignored signals stay ignored). Async-signal-safe.
    void restore_in_child() const;

private:
    struct sigaction saved_[4];
};

} // namespace refblame::tracer
