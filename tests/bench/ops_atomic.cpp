// ops_atomic.cpp: the bare-atomic anchor: the same __atomic builtins and memory orders as refblame's ops, nothing else.
#include "ops_bench.hpp"

namespace refblame::bench {

namespace {

void atomic_inc_dec(benchmark::State &state)
{
    prepare(state, Tracing::any);
    int *c = &counter_for(state, 1).counter;
    for (auto _ : state) {
        __atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
        __atomic_sub_fetch(c, 1, __ATOMIC_RELAXED);
    }
}

void atomic_freeze_fail(benchmark::State &state)
{
    prepare(state, Tracing::any);
    int *c = &counter_for(state, 2).counter;
    for (auto _ : state) {
        int seen = 1;
        __atomic_compare_exchange_n(c, &seen, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    }
}

void atomic_freeze_ok(benchmark::State &state)
{
    prepare(state, Tracing::any);
    int *c = &counter_for(state, 1).counter;
    for (auto _ : state) {
        int seen = 1;
        __atomic_compare_exchange_n(c, &seen, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
        __atomic_store_n(c, 1, __ATOMIC_RELAXED); // untraced reset, the same in every variant
    }
}

} // namespace

void register_atomic_benchmarks()
{
    apply_shape(benchmark::RegisterBenchmark("atomic/inc_dec", atomic_inc_dec));
    apply_shape(benchmark::RegisterBenchmark("atomic/freeze_fail", atomic_freeze_fail));
    apply_shape(benchmark::RegisterBenchmark("atomic/freeze_ok", atomic_freeze_ok));
}

} // namespace refblame::bench
