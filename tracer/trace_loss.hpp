// trace_loss.hpp: what the trace itself says was lost: discarded events and lost packets, from the per-stream CTF index files.
#pragma once

#include "channel.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace refblame::tracer {

struct TraceLoss {
    LossCounts counts;          // summed over every stream below the directory
    std::size_t streams = 0;    // index files read
    std::vector<std::string> problems; // index files that could not be read, and why
};

// Reads every `index/*.idx` below `dir` (LTTng's CTF packet index, written by
// the consumer next to each stream): a stream's discarded events are the
// cumulative `events_discarded` of its last packet; its lost packets are the
// gaps in `packet_seq_num`. The daemon's own channel counters are not enough:
// with per-PID buffers they miss processes that already exited.
TraceLoss read_trace_loss(const std::filesystem::path &dir);

} // namespace refblame::tracer
