// ops_off.cpp: refblame's ops compiled with REFBLAME_TRACING=0 (this file alone sees a config.h that says so).
#include "ops_bench.hpp"

#if REFBLAME_TRACING
#error "ops_off.cpp must be compiled against the REFBLAME_TRACING=0 configuration"
#endif

namespace refblame::bench {

namespace {

void off_inc_dec(benchmark::State &state)
{
    prepare(state, Tracing::any);
    refblame_ref_t *r = &counter_for(state, 1);
    for (auto _ : state) {
        refblame_ref_inc(r);
        refblame_ref_dec(r);
    }
}

void off_freeze_fail(benchmark::State &state)
{
    prepare(state, Tracing::any);
    refblame_ref_t *r = &counter_for(state, 2);
    for (auto _ : state)
        refblame_ref_freeze(r, 1);
}

void off_freeze_ok(benchmark::State &state)
{
    prepare(state, Tracing::any);
    refblame_ref_t *r = &counter_for(state, 1);
    for (auto _ : state) {
        refblame_ref_freeze(r, 1);
        __atomic_store_n(&r->counter, 1, __ATOMIC_RELAXED); // untraced reset, the same in every variant
    }
}

} // namespace

void register_compiled_out_benchmarks()
{
    apply_shape(benchmark::RegisterBenchmark("compiled_out/inc_dec", off_inc_dec));
    apply_shape(benchmark::RegisterBenchmark("compiled_out/freeze_fail", off_freeze_fail));
    apply_shape(benchmark::RegisterBenchmark("compiled_out/freeze_ok", off_freeze_ok));
}

} // namespace refblame::bench
