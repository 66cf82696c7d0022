// page_pool_program.hpp: examples/page_pool.c replayed as the events it records, with the truth of who holds what.
#pragma once

#include "page_pool_scenario.hpp"

#include <cstdint>

namespace refblame::analyzer::testing {

// Call sites of examples/page_pool.c (fake return addresses, one per traced op in the source).
namespace program_site {
inline constexpr std::uint64_t alloc = 0x2000;        // alloc_page_cache: init_page_count (obj_init, the base ref)
inline constexpr std::uint64_t readahead = 0x2100;    // readahead_submit: page_ref_inc
inline constexpr std::uint64_t end_io = 0x2180;       // readahead_end_io: page_ref_dec
inline constexpr std::uint64_t map = 0x2200;          // map_page: page_ref_inc
inline constexpr std::uint64_t unmap = 0x2280;        // unmap_page: page_ref_dec
inline constexpr std::uint64_t dma_submit = 0x2300;   // dma_submit: page_ref_inc (leaked when dma_map fails)
inline constexpr std::uint64_t dma_complete = 0x2380; // dma_complete: page_ref_dec
inline constexpr std::uint64_t isolate = 0x2400;      // migrate_page: get_page_unless_zero
inline constexpr std::uint64_t freeze = 0x2410;       // migrate_page: page_ref_freeze
inline constexpr std::uint64_t unfreeze = 0x2420;     // migrate_page: page_ref_unfreeze
inline constexpr std::uint64_t putback = 0x2480;      // migrate_page: page_ref_dec after isolation
inline constexpr std::uint64_t teardown = 0x2500;     // main: page_ref_dec_and_test (drops the page-cache ref)
inline constexpr std::uint64_t free = 0x2600;         // main: refblame_obj_free
} // namespace program_site

struct PagePoolProgramConfig {
    int pages = 200; // NR_PAGES
    int procs = 3;   // NR_PROCS
    std::uint64_t op_ns = 120; // time between two ops of the (single-threaded) program
};

// The events examples/page_pool.c records (one thread, pid scenario_pid), and the truth:
// readahead_end_io drops the readahead ref, unmap_page a map ref, dma_complete the DMA pin,
// the put after isolation the isolation ref, the teardown dec_and_test the page-cache ref.
Scenario page_pool_program(const PagePoolProgramConfig &config = {});

} // namespace refblame::analyzer::testing
