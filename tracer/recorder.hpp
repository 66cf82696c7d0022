// recorder.hpp: `refblame record`: run a program under a fresh LTTng session and leave a complete trace (the tracer's entry point).
#pragma once

#include "channel.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace refblame::tracer {

// How long the recorder waits for an LTTng session daemon that makes no
// progress: to set up the session, and once the program has ended to write a
// trace that has stopped growing, and to tear the session down (seconds;
// DaemonCall, Session::stop).
inline constexpr int default_daemon_timeout = 30;

struct RecordOptions {
    std::vector<std::string> command;      // PROGRAM [ARGS...]
    std::filesystem::path output;          // empty: ./refblame-<program>-<timestamp>
    bool force = false;                    // record into a non-empty DIR, replacing its trace
    bool allow_loss = false;               // discard mode instead of blocking
    std::optional<std::string> buffer_size; // per CPU, per process ("16M")
    bool track_dlopen = false;             // preload liblttng-ust-dl: symbolize libraries dlopen'd later
    std::optional<int> stack_depth;        // --stack: frames per event (0: caller only); unset: default_stack_depth
    int daemon_timeout = default_daemon_timeout; // --daemon-timeout: seconds without progress from LTTng; 0: no bound
};

// Frames of call stack recorded by default: enough to climb out of the C++
// standard library's out-of-line templates (a ref_ptr copied by
// std::vector::push_back at -O0 is 3 to 4 frames below the user's function).
inline constexpr int default_stack_depth = 8;
// The most librefblame records (lib/src/stack_table.h).
inline constexpr int max_stack_depth = 64;

struct RecordResult {
    std::string program;                   // as given
    bool program_started = false;          // false: interrupted before it ran
    int exit_status = 0;                   // the program's, or 128 + signal
    int term_signal = 0;                   // the signal that killed the program (0: it exited)
    int program_pid = 0;                   // the program's process id (0: not started)
    std::filesystem::path trace_dir;       // absolute
    std::size_t processes = 0;             // processes with a trace under trace_dir
    LossCounts loss;                       // from the trace's packet index
    std::vector<std::string> loss_problems; // index files that could not be read
    std::vector<std::string> foreign;      // traces of other processes, removed
    std::vector<std::string> unsure;       // traces kept though their process could not be checked
    LossPolicy policy = LossPolicy::block;
    ChannelGeometry geometry;
    std::string removed_note;              // what --force removed, if anything
    std::string info_problem;              // why refblame-record.json could not be written ("" when written)
    std::string incomplete;                // why the trace may lack its last events ("" when LTTng wrote it all)
    std::string abandoned_session;         // the session left to a daemon that stopped answering
};

// Checks everything it can before touching LTTng (program, options, output
// directory), then records. Throws UserError (exit 2) for usage and setup
// errors; a session it created is always destroyed.
RecordResult record(const RecordOptions &options);

} // namespace refblame::tracer
