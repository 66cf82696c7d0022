// workloads.hpp: the programs bench_record_ops records: N known refblame (or anchor) events of one kind, or a realistic mix.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace refblame::bench {

// How many events of each name (provider:event) a workload fired.
using EventCounts = std::map<std::string, std::uint64_t>;

// `events` inc/dec ops on one object (refblame:ref_mod), alternating.
EventCounts run_ref_mod(std::uint64_t events);
// `events` failed freezes on one object (refblame:ref_freeze).
EventCounts run_freeze(std::uint64_t events);
// `events` bare tracepoints with ref_mod's payload (refblame_bench_anchor:ref_mod).
EventCounts run_anchor(std::uint64_t events);
// About `events` events over a fixed set of live objects, like a page cache under
// migration: anonymous and tracked gets/puts from several call sites, long holds,
// freezes that fail while a hold is open, objects freed and reborn. The live set does
// not grow with `events`, so an analyzer's memory should not either.
EventCounts run_mixed(std::uint64_t events);

} // namespace refblame::bench
