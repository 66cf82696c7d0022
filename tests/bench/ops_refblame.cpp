// ops_refblame.cpp: refblame's inline ops as a program uses them (tracing compiled in), run with the tracepoints disabled or enabled.
#include "ops_bench.hpp"

#include <string>

namespace refblame::bench {

namespace {

template <Tracing T>
void refblame_inc_dec(benchmark::State &state)
{
    prepare(state, T);
    refblame_ref_t *r = &counter_for(state, 1);
    for (auto _ : state) {
        refblame_ref_inc(r);
        refblame_ref_dec(r);
    }
}

template <Tracing T>
void refblame_freeze_fail(benchmark::State &state)
{
    prepare(state, T);
    refblame_ref_t *r = &counter_for(state, 2);
    for (auto _ : state)
        refblame_ref_freeze(r, 1);
}

template <Tracing T>
void refblame_freeze_ok(benchmark::State &state)
{
    prepare(state, T);
    refblame_ref_t *r = &counter_for(state, 1);
    for (auto _ : state) {
        refblame_ref_freeze(r, 1);
        __atomic_store_n(&r->counter, 1, __ATOMIC_RELAXED); // untraced reset, the same in every variant
    }
}

template <Tracing T>
void register_family(const std::string &prefix)
{
    apply_shape(benchmark::RegisterBenchmark((prefix + "/inc_dec").c_str(), refblame_inc_dec<T>));
    apply_shape(benchmark::RegisterBenchmark((prefix + "/freeze_fail").c_str(), refblame_freeze_fail<T>));
    apply_shape(benchmark::RegisterBenchmark((prefix + "/freeze_ok").c_str(), refblame_freeze_ok<T>));
}

} // namespace

void register_refblame_benchmarks(Tracing tracing)
{
    if (tracing == Tracing::enabled)
        register_family<Tracing::enabled>("refblame_enabled");
    else
        register_family<Tracing::disabled>("refblame_disabled");
}

} // namespace refblame::bench
