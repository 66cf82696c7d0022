// child_process.hpp: runs the traced program (fork + execve with a given environment) and waits for its exit status.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace refblame::tracer {

class SignalForwarder;

class ChildProcess {
public:
    // Starts `path` with `argv` (argv[0] as the user typed it) and `env`;
    // signals go to it through `forwarder` while it runs. Throws UserError
    // when it cannot be started. When a forwarded signal already arrived
    // (forwarder.pending()), the program is not started at all.
    ChildProcess(const std::filesystem::path &path, const std::vector<std::string> &argv,
                 const std::vector<std::string> &env, SignalForwarder &forwarder);
    ~ChildProcess(); // a child still running here (error path) is killed and reaped
    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;

    bool started() const { return started_; }
    pid_t pid() const { return pid_; }
    // Waits for it to end: its exit code, or 128 + N when signal N killed it
    // (or interrupted refblame before the program started). While it runs,
    // `while_running` (which must return within ~0.1 s) is called in a loop.
    int wait(const std::function<void()> &while_running = {});
    // After wait(): the signal that killed the program, 0 when it exited (exit(137) is not SIGKILL).
    int term_signal() const { return term_signal_; }

private:
    SignalForwarder &forwarder_;
    pid_t pid_ = -1;
    bool started_ = false;
    int term_signal_ = 0;
};

// A wait() status as a shell would report it: the exit code, or 128 + signal.
int exit_status_of(int wait_status);

} // namespace refblame::tracer
