// bench_session.hpp: RAII over one LTTng-UST recording session that traces only this process (liblttng-ctl), for the benchmarks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

struct lttng_handle;

namespace refblame::bench {

// What the session records and how. Defaults follow the recorder's intent
// (DESIGN.md "Recording"): per-PID buffers sized so that blocking is rare,
// blocking mode with an infinite timeout, contexts vpid and vtid.
struct SessionConfig {
    std::filesystem::path output;            // absolute; the trace is written below it
    std::uint64_t subbuf_size = 8u << 20;    // bytes, power of two
    std::uint64_t num_subbuf = 4;            // power of two
    bool blocking = true;                    // false: discard mode (`--allow-loss`)
    // Nonzero: each stream writes a ring of `tracefile_count` files of this size, so a long
    // benchmark keeps the consumer busy as a recording would, without filling the disk.
    std::uint64_t tracefile_size = 0;
    std::uint64_t tracefile_count = 0;
    std::vector<std::string> events;         // patterns enabled before start
};

struct LossCounts {
    std::uint64_t discarded_events = 0;
    std::uint64_t lost_packets = 0;
};

class BenchSession {
public:
    // Creates the session, restricts it to this process (vpid tracker), creates
    // the channel, adds the contexts and enables `config.events`. Throws
    // std::runtime_error naming the liblttng-ctl call and its reason.
    explicit BenchSession(const SessionConfig &config);
    ~BenchSession(); // destroys the session if still there; never throws
    BenchSession(const BenchSession &) = delete;
    BenchSession &operator=(const BenchSession &) = delete;

    void start();
    void stop(); // waits until the buffers reached the trace
    void enable(const std::string &pattern);
    void disable(const std::string &pattern);
    LossCounts loss_counts() const; // after stop()
    void destroy(); // waits for the trace to be complete on disk

    const std::string &name() const { return name_; }

private:
    struct HandleDeleter {
        void operator()(lttng_handle *h) const;
    };
    std::string name_;
    std::unique_ptr<lttng_handle, HandleDeleter> handle_;
    bool alive_ = false;
};

} // namespace refblame::bench
