// page_pool_scenario.hpp: a simulated page pool whose event stream comes with the truth of who holds every reference.
#pragma once

#include "model/event.hpp"

#include <cstdint>
#include <vector>

namespace refblame::analyzer::testing {

// Call sites of the simulated program (fake return addresses).
namespace site {
inline constexpr std::uint64_t init = 0x1000;     // page allocated: obj_init(page, 1), the page-cache (base) ref
inline constexpr std::uint64_t lru_add = 0x1100;  // get: the page goes on the LRU
inline constexpr std::uint64_t lru_del = 0x1180;  // put: reclaim takes it off the LRU
inline constexpr std::uint64_t map = 0x1200;      // get: mapped into a process
inline constexpr std::uint64_t unmap = 0x1280;    // put: unmapped (same thread as map)
inline constexpr std::uint64_t readahead = 0x1300; // get: readahead I/O submitted (main thread)
inline constexpr std::uint64_t ra_done = 0x1380;  // put: readahead completion (I/O thread)
inline constexpr std::uint64_t pin = 0x1400;      // get: pinned for direct I/O
inline constexpr std::uint64_t io_done = 0x1480;  // put: I/O completion (I/O thread)
inline constexpr std::uint64_t io_complete = 0x1490; // put: one shared completion for readahead and pin (option)
inline constexpr std::uint64_t leak = 0x1500;     // get: the planted leak (an error path that never puts)
inline constexpr std::uint64_t pool_put = 0x1600; // put: the pool drops the base ref on eviction
inline constexpr std::uint64_t freeze = 0x1700;   // migration: freeze(page, 2)
inline constexpr std::uint64_t unfreeze = 0x1780;
inline constexpr std::uint64_t tracked_get = 0x1800; // ref_ptr copy (tracked, holder = the ref_ptr)
inline constexpr std::uint64_t tracked_move = 0x1840;
inline constexpr std::uint64_t tracked_put = 0x1880;
inline constexpr std::uint64_t free = 0x1900;
} // namespace site

namespace thread {
inline constexpr std::int32_t main = 100, main2 = 104, io = 101, reclaim = 102, migrate = 103, worker = 105,
                              worker2 = 106;
}

inline constexpr std::int32_t scenario_pid = 4242;

struct PagePoolConfig {
    unsigned seed = 1;
    int slots = 48;                      // page frames (addresses are reused: generations)
    std::uint64_t duration_ns = 1'500'000'000;
    double activity_interval_ns = 4e6;   // mean time between activities on one page
    double life_ns = 150e6;              // median time a page stays resident
    double leak_probability = 0.08;      // share of pages the leak path takes a ref on
    double migrate_interval_ns = 2e6;    // mean time between migration attempts (each retries up to 10x)
    bool shared_completion = false;      // readahead and pin completions release at one site (io_complete)
    bool tracked = true;                 // some holders are ref_ptr-style tracked gets/moves/puts
    double readahead_hold_ns = 1.5e6;    // median readahead I/O time
    double pin_hold_ns = 3e6;            // median direct I/O time
    int io_threads = 1;                  // completions run on this many I/O threads
};

// Ground truth, one entry per event: the reference it opened and the one it closed (0: none).
struct GroundTruth {
    std::vector<std::uint64_t> opened;
    std::vector<std::uint64_t> closed;
    std::vector<std::uint64_t> ref_site; // by reference id: the site that acquired it
};

struct Scenario {
    std::vector<Event> events; // time order, unique timestamps
    GroundTruth truth;
};

Scenario page_pool(const PagePoolConfig &config);

} // namespace refblame::analyzer::testing
