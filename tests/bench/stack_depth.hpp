// stack_depth.hpp: bench_stacks' timed loop at the bottom of a fixed-depth call chain, built with and without frame pointers.
#pragma once

#include <refblame/ref.h>

#include <benchmark/benchmark.h>

namespace refblame::bench {

// Recurses `depth` out-of-line frames, then runs inc + dec on `r` for every iteration of `state`.
void ops_at_depth_fp(int depth, refblame_ref_t *r, benchmark::State &state);   // -fno-omit-frame-pointer
void ops_at_depth_nofp(int depth, refblame_ref_t *r, benchmark::State &state); // -fomit-frame-pointer

} // namespace refblame::bench
