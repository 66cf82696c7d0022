// bench_ops_main.cpp: bench_ops: the cost of one refcount op, refblame vs its anchors, all in one run (Google Benchmark).
#include "ops_bench.hpp"
#include "tracing_switch.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace refblame::bench;

// Counts the runs that ended in an error, so that the exit status says so.
class CountingReporter : public benchmark::ConsoleReporter {
public:
    int errors = 0;
    void ReportRuns(const std::vector<Run> &runs) override
    {
        for (const auto &run : runs)
            errors += run.error_occurred ? 1 : 0;
        ConsoleReporter::ReportRuns(runs);
    }
};

// Blocking channels only block in a process that lttng-ust initialized with
// LTTNG_UST_ALLOW_BLOCKING=1 (read in its constructor, before main): re-exec once.
void ensure_allow_blocking(char **argv)
{
    if (std::getenv("LTTNG_UST_ALLOW_BLOCKING"))
        return;
    setenv("LTTNG_UST_ALLOW_BLOCKING", "1", 1);
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec); // keeps the process name (procname in the trace)
    execv(ec ? "/proc/self/exe" : self.c_str(), argv);
    std::perror("bench_ops: re-exec with LTTNG_UST_ALLOW_BLOCKING=1");
}

} // namespace

int main(int argc, char **argv)
{
    ensure_allow_blocking(argv);
    benchmark::Initialize(&argc, argv);

    CLI::App app{"bench_ops: refblame op cost vs a bare atomic and a bare LTTng-UST tracepoint.\n"
                 "Takes every --benchmark_* option of Google Benchmark too."};
    SessionConfig config;
    std::string trace_dir;
    bool allow_loss = false;
    bool keep_trace = false;
    app.add_option("--subbuf-size", config.subbuf_size, "sub-buffer size in bytes (power of two)")
        ->capture_default_str();
    app.add_option("--num-subbuf", config.num_subbuf, "sub-buffers per CPU (power of two)")->capture_default_str();
    app.add_flag("--allow-loss", allow_loss, "discard mode instead of blocking");
    app.add_option("--trace-dir", trace_dir, "where the enabled benchmarks' trace goes (default: a temporary directory)");
    app.add_flag("--keep-trace", keep_trace, "keep the trace instead of deleting it at exit");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    config.blocking = !allow_loss;
    // The consumer writes everything, as in a recording; only the last files per stream stay on disk.
    config.tracefile_size = std::max<std::uint64_t>(config.subbuf_size * 4, 32u << 20);
    config.tracefile_count = 2;

    std::error_code ec;
    bool temporary = trace_dir.empty();
    if (temporary) {
        std::string pattern = (fs::temp_directory_path() / "refblame-bench-XXXXXX").string();
        if (!mkdtemp(pattern.data())) {
            std::perror("bench_ops: mkdtemp");
            return 2;
        }
        trace_dir = pattern;
    }
    config.output = fs::absolute(trace_dir) / "trace";
    configure_tracing(config);

    // Run order: anchors and untraced variants first, the session last.
    register_atomic_benchmarks();
    register_compiled_out_benchmarks();
    register_refblame_benchmarks(Tracing::disabled);
    register_anchor_benchmarks(Tracing::disabled);
    register_anchor_benchmarks(Tracing::enabled);
    register_refblame_benchmarks(Tracing::enabled);

    CountingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    int status = reporter.errors ? 1 : 0;
    LossCounts loss;
    try {
        if (finish_tracing(loss))
            std::fprintf(stderr,
                         "bench_ops: session: %s mode, %llu x %llu bytes per CPU, "
                         "discarded_events=%llu lost_packets=%llu\n",
                         config.blocking ? "blocking" : "discard", (unsigned long long)config.num_subbuf,
                         (unsigned long long)config.subbuf_size, (unsigned long long)loss.discarded_events,
                         (unsigned long long)loss.lost_packets);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_ops: %s\n", e.what());
        status = 1;
    }
    if (!keep_trace)
        fs::remove_all(temporary ? fs::path(trace_dir) : config.output, ec);
    else
        std::fprintf(stderr, "bench_ops: trace kept in %s\n", config.output.c_str());
    return status;
}
