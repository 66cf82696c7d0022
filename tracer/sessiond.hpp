// sessiond.hpp: the LTTng session daemon a recording talks to: reuse the live one, else start one and stop it (by pid) afterwards.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <sys/types.h>

namespace refblame::tracer {

class SessionDaemon {
public:
    // Reuses the daemon liblttng-ctl reaches (root: the global one in
    // /var/run/lttng; other users: $LTTNG_HOME or $HOME/.lttng), or starts
    // `lttng-sessiond --daemonize --no-kernel`. Throws UserError saying why
    // none can be used.
    SessionDaemon();
    ~SessionDaemon(); // stops the daemon if it was started here
    SessionDaemon(const SessionDaemon &) = delete;
    SessionDaemon &operator=(const SessionDaemon &) = delete;

    bool started_here() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    // It stopped answering (the recorder gave up waiting for it): a hung daemon
    // does not stop on SIGTERM, so the destructor waits one second for it, not ten.
    void hung() { term_grace_ = std::chrono::seconds(1); }

private:
    pid_t pid_ = 0; // > 0: started by us
    std::chrono::milliseconds term_grace_ = std::chrono::seconds(10);
};

// Where this user's session daemon writes its pid.
std::filesystem::path sessiond_pid_file();

} // namespace refblame::tracer
