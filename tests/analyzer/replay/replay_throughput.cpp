// replay_throughput.cpp: events/s of the learn and attribute passes, and peak RSS, on a long simulated page pool.
// Usage: replay_throughput [simulated seconds] [repetitions]. The scenario is generated once and fed
// `repetitions` times with shifted timestamps, so peak RSS at 1 and at 10 repetitions shows whether
// the analyzer's memory grows with trace length (it should not: only with live objects and open refs).
#include "page_pool_scenario.hpp"
#include "query/analysis.hpp"

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace refblame::analyzer;

// VmHWM (peak RSS) in KiB; reset_peak() starts a new peak from the current RSS (Linux clear_refs "5").
static long peak_rss_kib()
{
    std::FILE *f = std::fopen("/proc/self/status", "r");
    long kib = 0;
    char line[256];
    while (f && std::fgets(line, sizeof line, f))
        if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    if (f)
        std::fclose(f);
    return kib;
}

static void reset_peak()
{
    if (std::FILE *f = std::fopen("/proc/self/clear_refs", "w")) {
        std::fputs("5", f);
        std::fclose(f);
    }
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? std::atof(argv[1]) : 20;
    int repetitions = argc > 2 ? std::atoi(argv[2]) : 1;
    testing::PagePoolConfig c;
    c.duration_ns = static_cast<std::uint64_t>(seconds * 1e9);
    c.slots = 256;
    c.leak_probability = 0;
    testing::Scenario s = testing::page_pool(c);
    s.truth = {};
    std::uint64_t span = s.events.back().time_ns + 1'000'000;
    s.events.shrink_to_fit();
    malloc_trim(0); // give the generator's freed memory back, so the analysis cannot hide in it
    reset_peak();
    long rss_before = peak_rss_kib();

    query::TracePass pass = [&](EventSink &sink) {
        for (int r = 0; r < repetitions; ++r)
            for (Event e : s.events) {
                e.time_ns += static_cast<std::uint64_t>(r) * span;
                sink.on_event(e);
            }
    };
    std::uint64_t n = s.events.size() * static_cast<std::uint64_t>(repetitions);
    query::AnalysisOptions o;
    auto t0 = std::chrono::steady_clock::now();
    attribute::LearnedModels models = query::learn(pass, o);
    auto t1 = std::chrono::steady_clock::now();
    query::AttributePass attribute_pass(models, o);
    pass(attribute_pass);
    query::Analysis a = attribute_pass.finish();
    auto t2 = std::chrono::steady_clock::now();
    auto rate = [&](auto d) { return double(n) / std::chrono::duration<double>(d).count() / 1e6; };
    std::printf("%llu events (%d x %zu): learn pass %.2f M events/s, attribute pass %.2f M events/s, "
                "analysis (both passes) %.2f M trace events/s\n",
                static_cast<unsigned long long>(n), repetitions, s.events.size(), rate(t1 - t0), rate(t2 - t1),
                rate(t2 - t0));
    std::printf("%zu failed freezes kept, %llu findings; peak RSS %ld MiB, of which the analysis added %ld KiB\n",
                a.blocked.size(), static_cast<unsigned long long>(a.summary.findings), peak_rss_kib() / 1024,
                peak_rss_kib() - rss_before);
    return 0;
}
