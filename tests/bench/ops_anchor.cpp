// ops_anchor.cpp: the tracepoint anchor: the same atomics followed by a bare LTTng-UST tracepoint with refblame's payload.
#include "ops_bench.hpp"

#include "anchor_tp.h"

#include <string>

namespace refblame::bench {

namespace {

// Inline at the call site, as a program instrumented by hand would do it.
#define ANCHOR_CALLER __builtin_return_address(0)

template <Tracing T>
void anchor_inc_dec(benchmark::State &state)
{
    prepare(state, T);
    refblame_ref_t *r = &counter_for(state, 1);
    for (auto _ : state) {
        int c = __atomic_add_fetch(&r->counter, 1, __ATOMIC_RELAXED);
        lttng_ust_tracepoint(refblame_bench_anchor, ref_mod, r, 1, c, ANCHOR_CALLER, 0u);
        c = __atomic_sub_fetch(&r->counter, 1, __ATOMIC_RELAXED);
        lttng_ust_tracepoint(refblame_bench_anchor, ref_mod, r, -1, c, ANCHOR_CALLER, 0u);
    }
}

// One freeze of r (expected 1) and its event, as refblame_ref_freeze records it.
#define ANCHOR_FREEZE(r)                                                                                    \
    do {                                                                                                    \
        int seen = 1;                                                                                       \
        bool ok = __atomic_compare_exchange_n(&(r)->counter, &seen, 0, false, __ATOMIC_SEQ_CST,             \
                                              __ATOMIC_RELAXED);                                            \
        lttng_ust_tracepoint(refblame_bench_anchor, ref_freeze, r, 1, ok ? 0 : seen, ok, ANCHOR_CALLER, 0u);    \
    } while (0)

template <Tracing T>
void anchor_freeze_fail(benchmark::State &state)
{
    prepare(state, T);
    refblame_ref_t *r = &counter_for(state, 2);
    for (auto _ : state)
        ANCHOR_FREEZE(r);
}

template <Tracing T>
void anchor_freeze_ok(benchmark::State &state)
{
    prepare(state, T);
    refblame_ref_t *r = &counter_for(state, 1);
    for (auto _ : state) {
        ANCHOR_FREEZE(r);
        __atomic_store_n(&r->counter, 1, __ATOMIC_RELAXED); // untraced reset, the same in every variant
    }
}

template <Tracing T>
void register_family(const std::string &prefix)
{
    apply_shape(benchmark::RegisterBenchmark((prefix + "/inc_dec").c_str(), anchor_inc_dec<T>));
    apply_shape(benchmark::RegisterBenchmark((prefix + "/freeze_fail").c_str(), anchor_freeze_fail<T>));
    apply_shape(benchmark::RegisterBenchmark((prefix + "/freeze_ok").c_str(), anchor_freeze_ok<T>));
}

} // namespace

void register_anchor_benchmarks(Tracing tracing)
{
    if (tracing == Tracing::enabled)
        register_family<Tracing::enabled>("tracepoint_enabled");
    else
        register_family<Tracing::disabled>("tracepoint_disabled");
}

} // namespace refblame::bench
