// lttng_cli.hpp: test helper: records programs with the plain `lttng` command line (one unique session, destroyed on scope exit).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace refblame::test {

// Runs argv[0] (searched in PATH) with `extra_env` ("NAME=value") added;
// stdout goes to `stdout_file` when given, else is discarded. Returns the exit status
// (128 + signal when killed). Throws std::runtime_error when it cannot start.
int run(const std::vector<std::string> &argv, const std::filesystem::path &stdout_file = {},
        const std::vector<std::string> &extra_env = {});

// Waits for a child; its exit status as run() gives it.
int wait_for(pid_t pid);

struct ChannelOptions {
    bool per_pid = true;        // --buffers-pid, else --buffers-uid
    bool blocking = true;       // --blocking-timeout=inf (and LTTNG_UST_ALLOW_BLOCKING=1 for the program)
    std::string subbuf_size = "1M";
    int num_subbuf = 4;
    bool contexts = true;       // vpid, vtid (plus ip and procname, which the reader must ignore)
    bool refblame_events = true; // enable refblame:* (false: statedump only)
};

// An LTTng session with one user-space channel, writing to `output`, that
// records only the processes it launches (other users of the session daemon
// run their own traced programs at the same time). Destroyed (after a stop)
// when the object goes away.
class Session {
public:
    Session(const std::string &tag, const std::filesystem::path &output, const ChannelOptions &options);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    void start();
    void stop(); // waits until the trace data is written

    // Starts a traced program held at a gate, tracks its pid, then lets it
    // run; stdout to `stdout_file`. `cpu` >= 0 starts it pinned to that CPU
    // (LTTng-UST's own threads, made before main(), stay there). Wait for it
    // with wait_for().
    pid_t launch(const std::vector<std::string> &argv, const std::filesystem::path &stdout_file,
                 const std::vector<std::string> &extra_env = {}, int cpu = -1);

private:
    void lttng(std::vector<std::string> args);
    std::string name_;
    ChannelOptions options_;
    bool created_ = false, started_ = false;
};

} // namespace refblame::test
