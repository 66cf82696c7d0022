// record_ops_main.cpp: bench_record_ops: records a workload of known events into a trace of its own, prints their counts as JSON.
#include "bench_session.hpp"
#include "workloads.hpp"

#include <refblame/ref.h>

#include "anchor_tp.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <thread>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace refblame::bench;

struct Workload {
    std::function<EventCounts(std::uint64_t)> run;
    const lttng_ust_tracepoint *probe; // enabled once the session reached this process
    std::vector<std::string> events;
};

const std::map<std::string, Workload> &workloads()
{
    static const std::vector<std::string> with_statedump = {"refblame:*", "lttng_ust_statedump:*", "lttng_ust_lib:*"};
    static const std::map<std::string, Workload> w = {
        {"ref_mod", {run_ref_mod, &lttng_ust_tracepoint_refblame___ref_mod, {"refblame:*"}}},
        {"freeze", {run_freeze, &lttng_ust_tracepoint_refblame___ref_freeze, {"refblame:*"}}},
        {"anchor", {run_anchor, &lttng_ust_tracepoint_refblame_bench_anchor___ref_mod, {"refblame_bench_anchor:*"}}},
        {"mixed", {run_mixed, &lttng_ust_tracepoint_refblame___ref_mod, with_statedump}},
    };
    return w;
}

bool wait_enabled(const lttng_ust_tracepoint &tp)
{
    for (int i = 0; i < 5000; i++) {
        if (__atomic_load_n(&tp.state, __ATOMIC_RELAXED))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    // Blocking channels block only when lttng-ust saw this at its start: re-exec once.
    if (!std::getenv("LTTNG_UST_ALLOW_BLOCKING")) {
        setenv("LTTNG_UST_ALLOW_BLOCKING", "1", 1);
        std::error_code ec;
        fs::path self = fs::read_symlink("/proc/self/exe", ec); // keeps the process name (procname in the trace)
        execv(ec ? "/proc/self/exe" : self.c_str(), argv);
        std::perror("bench_record_ops: re-exec");
    }

    CLI::App app{"bench_record_ops: record a workload of known refblame events; prints {events, trace, loss} as JSON"};
    std::string kind;
    std::uint64_t events = 0;
    std::string out;
    SessionConfig config;
    bool allow_loss = false;
    app.add_option("--workload", kind, "ref_mod | freeze | anchor | mixed")->required()
        ->check(CLI::IsMember({"ref_mod", "freeze", "anchor", "mixed"}));
    app.add_option("--events", events, "how many events to fire")->required();
    app.add_option("--out", out, "trace directory to create (must not exist)")->required();
    app.add_option("--subbuf-size", config.subbuf_size, "sub-buffer size in bytes")->capture_default_str();
    app.add_option("--num-subbuf", config.num_subbuf, "sub-buffers per CPU")->capture_default_str();
    app.add_flag("--allow-loss", allow_loss, "discard mode instead of blocking");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }

    const Workload &w = workloads().at(kind);
    config.output = fs::absolute(out);
    config.blocking = !allow_loss;
    config.events = w.events;
    try {
        BenchSession session(config);
        session.start();
        if (!wait_enabled(*w.probe)) {
            std::fprintf(stderr, "bench_record_ops: the session never enabled the tracepoints in this process\n");
            return 1;
        }
        auto begin = std::chrono::steady_clock::now();
        EventCounts counts = w.run(events);
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        session.stop();
        LossCounts loss = session.loss_counts();
        session.destroy();

        nlohmann::json result = {{"workload", kind}, {"trace", config.output.string()},
                                 {"seconds", seconds}, {"discarded_events", loss.discarded_events},
                                 {"lost_packets", loss.lost_packets}, {"events", counts}};
        std::cout << result.dump() << "\n";
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_record_ops: %s\n", e.what());
        return 1;
    }
    return 0;
}
