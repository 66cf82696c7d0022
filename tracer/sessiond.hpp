// sessiond.hpp: the LTTng session daemon a recording talks to: reuse the live one, else start one and stop it (by pid) afterwards.
#pragma once

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

private:
    pid_t pid_ = 0; // > 0: started by us
};

// Where this user's session daemon writes its pid.
std::filesystem::path sessiond_pid_file();

} // namespace refblame::tracer
