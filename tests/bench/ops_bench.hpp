// ops_bench.hpp: what bench_ops' translation units share: per-thread counters, the tracing switch, the op families.
#pragma once

#include <refblame/ref.h> // the including TU decides whether tracing is compiled in (config.h)

#include <benchmark/benchmark.h>

namespace refblame::bench {

// Which state of the tracepoints a benchmark needs.
enum class Tracing {
    any,      // no tracepoint in the loop (bare atomic, REFBLAME_TRACING=OFF)
    disabled, // tracepoints compiled in, no session enables them
    enabled,  // a session on this process records refblame:* and refblame_bench_anchor:*
};

// Thread 0 puts the tracepoints in the wanted state before the timed loop (the
// other threads wait at the loop's start barrier). On failure the state carries
// the error and the loop does not run; a foreign session that enables the
// tracepoints under a `disabled` benchmark labels the run "foreign-session".
void prepare(benchmark::State &state, Tracing tracing);

// The calling thread's own counter (one cache line each), set to `initial`.
refblame_ref_t &counter_for(const benchmark::State &state, int initial);

// 1, 2 and 8 threads; every op family uses the same shape.
void apply_shape(benchmark::internal::Benchmark *b);

// Registration, one per translation unit; the order of the calls is the run order.
void register_atomic_benchmarks();      // ops_atomic.cpp: bare __atomic builtins
void register_compiled_out_benchmarks(); // ops_off.cpp: refblame ops with REFBLAME_TRACING=0
void register_refblame_benchmarks(Tracing tracing); // ops_refblame.cpp
void register_anchor_benchmarks(Tracing tracing);   // ops_anchor.cpp: atomic + bare LTTng-UST tracepoint

} // namespace refblame::bench
