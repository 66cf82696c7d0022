// process_tree.hpp: keeps a recording to the recorded program's own processes: a session traces every instrumented process on the machine, so each per-PID trace is classified (while its process is alive) and the others are removed.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace refblame::tracer {

enum class Membership { ours, foreign, unknown };

// Whether `pid` descends from `ancestor`, following parent pids in /proc;
// unknown when the chain cannot be read (the process is gone).
Membership membership_of(pid_t pid, pid_t ancestor);

// The pid in a per-PID trace directory name, `<procname>-<pid>-<YYYYMMDD>-<HHMMSS>`; -1 if it has none.
pid_t pid_of_trace_dir(const std::string &name);

// Watches DIR/ust/pid, where the consumer creates one directory per process
// while that process registers (it is alive and waiting for the session
// daemon then), and classifies each against this process, which is made a
// child subreaper so that orphaned descendants stay in the tree.
class ProcessTree {
public:
    explicit ProcessTree(const std::filesystem::path &trace_dir);
    ~ProcessTree();
    ProcessTree(const ProcessTree &) = delete;
    ProcessTree &operator=(const ProcessTree &) = delete;

    // Waits up to timeout_ms for new per-PID directories and classifies them.
    void watch(int timeout_ms);

    struct Outcome {
        std::vector<std::string> removed; // traces of processes outside the recording
        std::vector<std::string> unsure;  // kept, though their process was gone before it could be checked
    };
    // After the session is destroyed: classifies what is left and removes the foreign traces.
    Outcome remove_foreign();

private:
    void classify(const std::string &name);
    std::filesystem::path pid_dir_;
    int inotify_ = -1;
    pid_t self_;
    std::map<std::string, Membership> seen_;
};

} // namespace refblame::tracer
