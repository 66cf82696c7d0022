// daemon_call.hpp: a liblttng-ctl request run on a thread of its own, so that refblame can stop waiting for a session daemon that hangs.
#pragma once

#include <functional>
#include <memory>

namespace refblame::tracer {

// liblttng-ctl's calls block until the session daemon answers, and the daemon
// waits for its consumer daemon: a consumer that is stopped or hung blocks
// them forever. A DaemonCall runs `work` (liblttng-ctl calls) on a thread of
// its own; the caller waits with a bound of its choosing. A call given up on
// is left to finish, or to end with the process; nothing else may use
// liblttng-ctl's connection to that daemon meanwhile (it is one socket).
class DaemonCall {
public:
    explicit DaemonCall(std::function<void()> work); // starts it (on this thread when no thread can be had)
    ~DaemonCall();                                   // joins a finished call, leaves a hung one
    DaemonCall(const DaemonCall &) = delete;
    DaemonCall &operator=(const DaemonCall &) = delete;

    // Waits until the work is done, asking `give_up` every 200 ms meanwhile:
    // true from it stops the wait (returns false). When done, rethrows what the work threw.
    bool wait(const std::function<bool()> &give_up);

private:
    struct State;
    std::shared_ptr<State> state_; // shared with the thread
};

} // namespace refblame::tracer
