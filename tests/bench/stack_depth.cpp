// stack_depth.cpp: the call chain bench_stacks times ops under; compiled twice (STACK_DEPTH_FN names each copy).
#include "stack_depth.hpp"

namespace refblame::bench {

__attribute__((noinline)) void STACK_DEPTH_FN(int depth, refblame_ref_t *r, benchmark::State &state)
{
    if (depth > 1) {
        STACK_DEPTH_FN(depth - 1, r, state);
        benchmark::ClobberMemory(); // not a tail call: every frame stays on the stack
        return;
    }
    for (auto _ : state) {
        refblame_ref_inc(r);
        refblame_ref_dec(r);
    }
}

} // namespace refblame::bench
