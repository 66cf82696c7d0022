// session.hpp: RAII over one LTTng recording session: create (local output), start, stop (waiting for data, bounded), destroy.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace refblame::tracer {

class Session {
public:
    // Creates session `name` writing its trace below `output` (absolute).
    Session(std::string name, const std::filesystem::path &output);
    ~Session(); // destroys the session if still there; never throws
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    const std::string &name() const { return name_; }
    void start();
    // Stops tracing and waits until every buffer has reached the trace. A daemon
    // whose consumer daemon is stopped or hung never answers (liblttng-ctl's
    // calls wait forever): with a `stall` bound (zero: none) it gives up once the
    // daemon has neither finished nor added a byte to the trace for that long,
    // returns false and abandons the session (DaemonCall).
    bool stop(std::chrono::milliseconds stall = {});
    // Destroys the session. After stop() the trace is complete on disk; `wait`
    // also waits for the daemon's own teardown of the session (it polls that
    // every 500 ms), as a daemon about to be stopped needs. Nothing when abandoned.
    void destroy(bool wait);

private:
    std::string name_;
    std::filesystem::path output_;
    bool alive_ = false;
    bool abandoned_ = false;
    bool started_ = false;
};

// A session name no other run uses: refblame-<pid>-<nanoseconds>.
std::string unique_session_name();

} // namespace refblame::tracer
