// ops_common.cpp: bench_ops' shared pieces: per-thread counters, preparing the tracing state, the thread shape.
#include "ops_bench.hpp"

#include "tracing_switch.hpp"

#include <string>

namespace refblame::bench {

namespace {

constexpr int kMaxThreads = 64;

// One counter per thread, each on its own pair of cache lines: the benchmarks
// measure the cost of an op, not contention on a shared counter.
struct alignas(128) Slot {
    refblame_ref_t ref;
};
Slot g_slots[kMaxThreads];

} // namespace

refblame_ref_t &counter_for(const benchmark::State &state, int initial)
{
    refblame_ref_t &r = g_slots[state.thread_index() % kMaxThreads].ref;
    __atomic_store_n(&r.counter, initial, __ATOMIC_RELAXED);
    return r;
}

void prepare(benchmark::State &state, Tracing tracing)
{
    if (state.thread_index() != 0 || tracing == Tracing::any)
        return;
    std::string why;
    switch (set_tracing(tracing == Tracing::enabled, why)) {
    case SwitchResult::ok:
        break;
    case SwitchResult::foreign:
        state.SetLabel("foreign-session");
        break;
    case SwitchResult::failed:
        state.SkipWithError(why.c_str());
        break;
    }
}

void apply_shape(benchmark::internal::Benchmark *b)
{
    b->Threads(1)->Threads(2)->Threads(8);
}

} // namespace refblame::bench
