// channel.hpp: one userspace channel (per-PID buffers) of a session: its geometry, loss policy, events, contexts and loss counters.
#pragma once

#include <lttng/event.h>

#include <cstdint>
#include <memory>
#include <string>

struct lttng_handle;

namespace refblame::tracer {

class Session;

// Per-CPU ring buffer of one process: num_subbuf sub-buffers of subbuf_size bytes (both powers of two).
struct ChannelGeometry {
    std::uint64_t subbuf_size = 0;
    std::uint64_t num_subbuf = 0;
    std::uint64_t bytes() const { return subbuf_size * num_subbuf; }
};

// block: a full buffer makes the writer wait (infinite timeout); discard: new events are dropped.
enum class LossPolicy { block, discard };

struct LossCounts {
    std::uint64_t discarded_events = 0;
    std::uint64_t lost_packets = 0;
};

class UstChannel {
public:
    UstChannel(const Session &session, std::string name, ChannelGeometry geometry, LossPolicy policy);
    ~UstChannel();
    UstChannel(const UstChannel &) = delete;
    UstChannel &operator=(const UstChannel &) = delete;

    // Enables every tracepoint matching `pattern` ("provider:*"), all log levels.
    void enable_events(const std::string &pattern);
    void add_context(lttng_event_context_type type, const std::string &label);
    // The channel's counters, summed by the daemon over every process (also the ones that exited).
    // Read after the session is stopped, before it is destroyed.
    LossCounts loss_counts() const;

private:
    struct HandleDeleter {
        void operator()(lttng_handle *h) const;
    };
    std::string session_;
    std::string name_;
    std::unique_ptr<lttng_handle, HandleDeleter> handle_;
};

} // namespace refblame::tracer
