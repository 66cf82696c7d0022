// bench_stacks_main.cpp: bench_stacks: the cost of recording call stacks (REFBLAME_STACK) on an enabled op, against the caller-only op, in one process.
#include "bench_session.hpp"
#include "stack_depth.hpp"

#include <refblame/ref.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>

extern struct lttng_ust_tracepoint lttng_ust_tracepoint_refblame___stack;

namespace {

namespace fs = std::filesystem;
using namespace refblame::bench;

constexpr int kDepth = 16; // frames of the chain the ops run under (the stack recorded is REFBLAME_STACK deep)

std::unique_ptr<BenchSession> g_session;
bool g_stacks = false;
alignas(128) refblame_ref_t g_ref;

// The session records refblame:ref_mod always; refblame:stack (and so stack capture) only when asked.
bool set_stacks(bool on, std::string &why)
{
    try {
        if (on != g_stacks) {
            if (on)
                g_session->enable("refblame:stack");
            else
                g_session->disable("refblame:stack");
            g_stacks = on;
        }
    } catch (const std::exception &e) {
        why = e.what();
        return false;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while ((__atomic_load_n(&lttng_ust_tracepoint_refblame___stack.state, __ATOMIC_RELAXED) != 0) != on) {
        if (std::chrono::steady_clock::now() >= deadline) {
            why = "refblame:stack did not reach the wanted state in this process";
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

template <bool Stacks, bool FramePointers>
void ops_under_chain(benchmark::State &state)
{
    std::string why;
    if (!set_stacks(Stacks, why)) {
        state.SkipWithError(why.c_str());
        return;
    }
    __atomic_store_n(&g_ref.counter, 1, __ATOMIC_RELAXED);
    (FramePointers ? ops_at_depth_fp : ops_at_depth_nofp)(kDepth, &g_ref, state);
}

// Blocking channels need LTTNG_UST_ALLOW_BLOCKING=1 and REFBLAME_STACK is read at start-up: re-exec once.
void ensure_environment(char **argv, int stack)
{
    if (std::getenv("LTTNG_UST_ALLOW_BLOCKING") && std::getenv("REFBLAME_STACK"))
        return;
    setenv("LTTNG_UST_ALLOW_BLOCKING", "1", 1);
    setenv("REFBLAME_STACK", std::to_string(stack).c_str(), 0);
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    execv(ec ? "/proc/self/exe" : self.c_str(), argv);
    std::perror("bench_stacks: re-exec");
}

} // namespace

int main(int argc, char **argv)
{
    ensure_environment(argv, 16);
    benchmark::Initialize(&argc, argv);
    CLI::App app{"bench_stacks: enabled refcount ops under a 16-frame call chain, with and without call stacks\n"
                 "(REFBLAME_STACK frames, 16 unless set). Takes every --benchmark_* option of Google Benchmark too."};
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    std::string pattern = (fs::temp_directory_path() / "refblame-bench-stacks-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
        std::perror("bench_stacks: mkdtemp");
        return 2;
    }
    fs::path dir = pattern;
    SessionConfig config;
    config.output = dir / "trace";
    config.tracefile_size = 32u << 20; // a ring of files per stream: the consumer writes everything
    config.tracefile_count = 2;
    config.events = {"refblame:ref_mod"};
    int status = 0;
    try {
        g_session = std::make_unique<BenchSession>(config);
        g_session->start();
        benchmark::RegisterBenchmark("caller_only/depth16", ops_under_chain<false, true>);
        benchmark::RegisterBenchmark("stack/depth16", ops_under_chain<true, true>);
        benchmark::RegisterBenchmark("caller_only_nofp/depth16", ops_under_chain<false, false>);
        benchmark::RegisterBenchmark("stack_nofp/depth16", ops_under_chain<true, false>);
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
        g_session->stop();
        LossCounts loss = g_session->loss_counts();
        std::fprintf(stderr, "bench_stacks: REFBLAME_STACK=%s, discarded_events=%llu lost_packets=%llu\n",
                     std::getenv("REFBLAME_STACK"), (unsigned long long)loss.discarded_events,
                     (unsigned long long)loss.lost_packets);
        g_session->destroy();
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_stacks: %s\n", e.what());
        status = 1;
    }
    g_session.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
    return status;
}
