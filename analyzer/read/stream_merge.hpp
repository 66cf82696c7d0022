// stream_merge.hpp: merges the sink's per-stream message iterators by timestamp, in place of flt.utils.muxer (which costs an eighth of a read).
#pragma once

#include "read/bt_handles.hpp"

#include <cstdint>
#include <vector>

namespace refblame::analyzer {

// Each input is one CTF stream's messages, already in time order. The merge
// hands out the message with the earliest default clock snapshot across the
// inputs (ties: lower input first); a message without one (stream beginning
// and end) goes out in its stream's order, at that stream's latest time. It
// does not check that the clock classes are compatible, as the muxer does:
// every refblame trace uses LTTng's monotonic clock with a Unix-epoch origin.
class StreamMerge {
public:
    enum class Status : std::uint8_t { ok, end, again, error, memory_error };

    void add(bt::MessageIterator it);
    std::size_t inputs() const { return inputs_.size(); }

    // The next message (a reference the caller owns), or why there is none.
    // `ns`: the message's own time (its default clock snapshot, from origin) for
    // event messages that have a positive one, else 0 (what the decoder takes).
    Status next(const bt_message *&msg, std::uint64_t &ns);

    // Drops the buffered messages and the iterators (before the graph goes).
    void reset();

private:
    struct Input {
        bt::MessageIterator it;
        bt_message_array_const msgs = nullptr;
        std::uint64_t count = 0, index = 0;
        std::int64_t head_ns = 0; // time of msgs[index]
        bool head_timed = false;  // msgs[index] has a time of its own (head_ns is not its stream's latest)
        std::int8_t clocked = -1; // whether the stream's events have a default clock (-1: no event seen yet)
        bool done = false;
    };
    Status fill(Input &in); // makes msgs[index] valid (or done)
    static void time_head(Input &in);
    void sift_down(std::size_t i);
    bool before(std::size_t a, std::size_t b) const;

    std::vector<Input> inputs_;
    std::vector<std::size_t> heap_; // live inputs by head time (a binary min-heap)
    bool started_ = false;
    std::size_t pending_ = SIZE_MAX; // input whose head was just handed out: refill before the next pick
};

} // namespace refblame::analyzer
