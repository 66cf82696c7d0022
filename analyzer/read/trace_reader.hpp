// trace_reader.hpp: reads every CTF trace below a TRACE path through one Babeltrace2 graph and hands typed events, in time order, to an EventSink.
#pragma once

#include "model/event.hpp"
#include "read/trace_finder.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace refblame::analyzer {

// What a read found, and everything the user must know about its completeness.
struct ReadSummary {
    std::vector<std::string> traces; // every CTF trace directory found
    std::uint64_t traces_read = 0;   // of those, how many were read (the others: see warnings)
    std::uint64_t streams = 0;       // CTF streams read
    std::uint64_t events = 0;        // event messages of any kind
    std::uint64_t refblame_events = 0;
    std::uint64_t module_events = 0; // statedump / lib events handed on
    std::uint64_t stack_events = 0;  // refblame:stack events handed on
    std::uint64_t losses = 0;        // discarded-events / discarded-packets messages
    std::uint64_t lost_events = 0;   // sum of their plausible counts (a lower bound)
    std::uint64_t lost_packets = 0;
    std::uint64_t first_ns = 0, last_ns = 0; // first and last refblame event
    bool complete = true;  // false: files or traces were skipped, or reading stopped early
    std::vector<std::string> warnings;
};

// Losses of a whole stream or trace that could not be read carry this stream
// index and no time range (begin_ns = end_ns = 0): every event of it is missing.
inline constexpr std::uint32_t unread_stream = 0xffffffffu;

class TraceReader {
public:
    // Finds the CTF traces at or below `trace`; throws UserError when there is none.
    explicit TraceReader(std::filesystem::path trace);
    ~TraceReader();
    TraceReader(const TraceReader &) = delete;
    TraceReader &operator=(const TraceReader &) = delete;

    const std::vector<TraceDir> &traces() const;

    // Reads them all through one graph (src.ctf.fs per trace -> muxer -> our
    // sink), handing every refblame event, module event and loss to `sink` in
    // timestamp order. Unreadable files are skipped with a warning and a Loss
    // when the rest is readable; throws UserError naming the file and the
    // problem when nothing useful is, or when no refblame event is in the
    // trace. Exceptions thrown by `sink` propagate (after the graph stopped).
    // Event::kind views stay valid for the reader's lifetime.
    ReadSummary read(EventSink &sink);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace refblame::analyzer
