// reader_sink.hpp: refblame's Babeltrace2 sink component class: takes the muxed messages and hands typed events to an EventSink.
#pragma once

#include "model/event.hpp"
#include "read/bt_handles.hpp"
#include "read/event_decoder.hpp"
#include "read/stream_merge.hpp"

#include <cstdint>
#include <exception>
#include <string>
#include <unordered_map>
#include <vector>

namespace refblame::analyzer {

// What the sink counts while it reads.
struct ReadCounts {
    std::uint64_t messages = 0;
    std::uint64_t events = 0;          // event messages of any kind
    std::uint64_t refblame_events = 0;
    std::uint64_t module_events = 0;
    std::uint64_t stack_events = 0;    // refblame:stack (call stack definitions)
    std::uint64_t losses = 0;          // discarded-events / discarded-packets messages
    std::uint64_t lost_events = 0;     // sum of the plausible discarded-event counts
    std::uint64_t lost_packets = 0;
    std::uint64_t first_ns = 0, last_ns = 0; // times of the first and last refblame event
    std::uint64_t backward_times = 0; // refblame events stamped before one already read (corrupt), raised to it
};

// Shared by the TraceReader and the sink component it adds (the component's
// initialize-method data). Lives until the graph is gone.
struct SinkState {
    SinkState(EventSink &out, std::vector<TraceInfo> &traces, EventDecoder &decoder, std::vector<std::string> &warnings)
        : out(out), traces(traces), decoder(decoder), warnings(warnings)
    {
    }

    EventSink &out;
    std::vector<TraceInfo> &traces; // src.ctf.fs `trace-name` is the index in here
    EventDecoder &decoder;
    std::vector<std::string> &warnings;
    ReadCounts counts;
    std::exception_ptr error; // thrown inside a callback; rethrown after bt_graph_run
    std::size_t inputs = 0;   // input ports the sink adds ("in0".."in<n-1>"), one per CTF stream (set before)
    StreamMerge merge;        // their iterators, merged by time

    // Streams by Babeltrace2 identity; the index is what Event::stream and Loss::stream carry.
    std::unordered_map<const bt_stream *, StreamInfo> streams;
    const bt_stream *last_stream = nullptr;
    StreamInfo last_info;
    std::string first_backward; // the trace and stream of the first event in `counts.backward_times`

    const StreamInfo &stream(const bt_stream *s);
    // `ns`: the message's own time, as the merge found it (StreamMerge::next; 0: none).
    void on_message(const bt_message *msg, std::uint64_t ns);

private:
    void on_discarded(const bt_message *msg, bool packets);
    Event event_;        // reused: no allocation per event
    ModuleEvent module_;
};

// Whether a discarded count reported over [begin_ns, end_ns] (0: unknown) can
// be real. babeltrace2 2.0.4 reports wrapped-around counts (2^64 - N) for
// some per-PID streams: such a count means "loss happened here", size unknown.
bool plausible_discard_count(std::uint64_t count, std::uint64_t begin_ns, std::uint64_t end_ns);

// The sink component class ("refblame"): SinkState::inputs input ports "in0".., one per stream.
bt::SinkClass make_sink_class();

} // namespace refblame::analyzer
