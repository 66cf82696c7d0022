// recorder.hpp: `refblame record`: run a program under a fresh LTTng session and leave a complete trace (the tracer's entry point).
#pragma once

#include "channel.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace refblame::tracer {

struct RecordOptions {
    std::vector<std::string> command;      // PROGRAM [ARGS...]
    std::filesystem::path output;          // empty: ./refblame-<program>-<timestamp>
    bool force = false;                    // record into a non-empty DIR, replacing its trace
    bool allow_loss = false;               // discard mode instead of blocking
    std::optional<std::string> buffer_size; // per CPU, per process ("16M")
    int stack_depth = 0;                   // call stacks: not supported yet, must be 0
};

struct RecordResult {
    std::string program;                   // as given
    bool program_started = false;          // false: interrupted before it ran
    int exit_status = 0;                   // the program's, or 128 + signal
    std::filesystem::path trace_dir;       // absolute
    std::size_t processes = 0;             // processes with a trace under trace_dir
    LossCounts loss;                       // from the trace's packet index
    std::vector<std::string> loss_problems; // index files that could not be read
    std::vector<std::string> foreign;      // traces of other processes, removed
    std::vector<std::string> unsure;       // traces kept though their process could not be checked
    LossPolicy policy = LossPolicy::block;
    ChannelGeometry geometry;
    std::string removed_note;              // what --force removed, if anything
};

// Checks everything it can before touching LTTng (program, options, output
// directory), then records. Throws UserError (exit 2) for usage and setup
// errors; a session it created is always destroyed.
RecordResult record(const RecordOptions &options);

} // namespace refblame::tracer
