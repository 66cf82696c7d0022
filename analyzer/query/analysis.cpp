// analysis.cpp: one read of the trace into a spill, the learning passes and the attribution pass over the spill, and the queries that fill the reports.
#include "query/analysis.hpp"

#include "attribute/learner.hpp"
#include "attribute/model_pairer.hpp"
#include "query/collector.hpp"
#include "query/first_pass.hpp"
#include "query/huge_heap.hpp"
#include "query/summary.hpp"
#include "query/worker_sink.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <memory>
#include <thread>

namespace refblame::analyzer::query {

namespace {

// One replay feeding two sinks.
class TeeSink final : public EventSink {
public:
    TeeSink(EventSink &a, EventSink &b) : a_(a), b_(b) {}
    void on_event(const Event &e) override
    {
        a_.on_event(e);
        b_.on_event(e);
    }
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override
    {
        a_.on_loss(l);
        b_.on_loss(l);
    }
    void prefetch(const Event &e, unsigned stage) const override
    {
        a_.prefetch(e, stage);
        b_.prefetch(e, stage);
    }

private:
    EventSink &a_, &b_;
};

replay::EngineOptions engine_options(const AnalysisOptions &options, replay::SiteIndex *sites)
{
    replay::EngineOptions e = options.engine;
    e.pid = options.pid;
    e.sites = sites;
    return e;
}

// The engine of a replay into the queries: no learner reads its site tallies.
replay::EngineOptions query_engine_options(const AnalysisOptions &options, replay::SiteIndex *sites)
{
    replay::EngineOptions e = engine_options(options, sites);
    e.tallies = false;
    return e;
}

bool use_threads(const AnalysisOptions &options)
{
    return options.threads == 0 ? std::thread::hardware_concurrency() > 1 : options.threads > 1;
}

// The read, into `sink`: the reader on a thread of its own and `sink` on this one, when there is a CPU for it.
void read_into(const TracePass &pass, EventSink &sink, const AnalysisOptions &options)
{
    if (!use_threads(options)) {
        pass(sink);
        return;
    }
#ifdef __GLIBC__
    // Two malloc arenas: the main one for this thread (the analysis: the pairing analyses' heap on huge
    // pages, huge_heap.hpp), the other for the reader's, and after it for the attribution's second thread
    // (a thread that ends leaves its arena to the next one). With one arena for every thread, replays that
    // ran side by side took their blocks from one heap in turn, and each one's objects spread over twice
    // the cache lines: blockers on 1 M events, the attribution's two shards 70-75 -> 55-62 ms, the models
    // 2.9 -> 1-2 ms (a timing build, alternating runs; a run's whole time -16 to -27 ms, medians of 15
    // and 21 alternating runs; as pairs of whole runs 0.978x-1.001x, n=41 each). A CPU that shares its L3 with a busier
    // neighbour suffers the spread most (this VM's two: a random walk over 8 MB, 120 against 27 ns a load).
    // Peak RSS from 1 M to 10 M events: blockers 36.8 -> 40.3 MiB (one arena: 35.6 -> 36.7), stats
    // 26.2 -> 28.7 (the same). With the worker, not the reader, on the new thread, its arena grew with trace
    // length (fragmentation; a peak of 28 -> 40 MiB, one arena: 28 -> 31, when measured).
    mallopt(M_ARENA_MAX, 2);
#endif
    WorkerSink::run(sink, [&](EventSink &s) {
        // The reader's arena is glibc's usual heap, faulted in a 4 KiB page at a time: 2400-2600 page
        // faults for blockers on 1 M events against 1600 with every thread in the main arena. 4 MiB of
        // it at once: 1350-1700; the reader's own faults left are mostly those of the trace files it
        // maps; the attribution's second thread, which takes the arena over, had none. 0.973x the
        // wall time (pairs, n=41; 8 MiB: 0.993x of 4, n=31). Not for stats (no huge-page heap: it would
        // be handed back at once, see fault_in_thread_heap).
        fault_in_thread_heap(std::size_t{4} << 20);
        pass(s);
    });
}

// How many shards of the objects the attribution replays, each alone (a lane of the spill each). With few
// objects a shard, its replay's states stay in the CPU's caches: blockers on 1 M events of 4096 live
// objects, the attribution in 16 shards 0.77x the time of 2 (and of 8 or 32: 0.79x; timing prints, paired
// runs). One for --object: its one object lives in one shard, the others would only wait.
unsigned attribution_lanes(const AnalysisOptions &options)
{
    constexpr unsigned lanes = 16;
    if (options.object) // whatever `lanes` says: the object's queries are not merged from shards
        return 1;
    if (options.lanes > 0)
        return std::min(static_cast<unsigned>(options.lanes), replay::EventSpill::max_lanes);
    return lanes;
}

// How many threads replay the shards: one per CPU, two at most (only measured on 2 CPUs so far; two
// malloc arenas are shared, see read_into), or as many as asked.
unsigned attribution_threads(const AnalysisOptions &options, unsigned lanes)
{
    if (!use_threads(options))
        return 1;
    const unsigned threads = options.threads > 1 ? static_cast<unsigned>(options.threads)
                                                 : std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
    return std::min(threads, lanes);
}

// The trace read once (site ids, whole-life tallies, the spill, both models), then more learning if asked.
struct Prepared {
    std::shared_ptr<replay::SiteIndex> sites = std::make_shared<replay::SiteIndex>();
    std::unique_ptr<replay::EventSpill> spill;
    attribute::LearnedModels models;
};

// `lanes`: how many shards the attribution will replay the spill in (a lane of the spill each).
Prepared prepare(const TracePass &pass, const AnalysisOptions &options, unsigned lanes = 1)
{
    // Before anything of the analysis is allocated. Not for the count-only replay (stats, balance): on huge
    // pages, memory allocated but never touched (vector capacities, the findings list up to its cap) is
    // resident too, and its peak went 26 -> 28 MiB (1 M events) and 29 -> 34 MiB (10 M), past the 1.2x
    // between them the benchmarks hold it to; blockers' 34 -> 37 MiB at both.
    grow_heap_on_huge_pages();
    Prepared p;
    p.spill = std::make_unique<replay::EventSpill>(*p.sites, lanes);
    const replay::EngineOptions eo = engine_options(options, p.sites.get());
    {
        FirstPass first(p.sites, *p.spill, eo);
        read_into(pass, first, options);
        p.models = first.finish();
    }
    // More learning replays of the spill, each deciding with the previous models and the final matching.
    for (int i = 1; i < options.learn_passes; ++i) {
        const attribute::LearnedModels &m = p.models;
        attribute::LearnPass younger(&m.younger_first, attribute::AgeBias::younger, eo, &m.matching, p.sites);
        attribute::LearnPass oldest(&m.oldest_first, attribute::AgeBias::none, eo, &m.matching, p.sites);
        TeeSink both(younger, oldest);
        p.spill->replay(both);
        attribute::LearnedModels next{younger.finish(), oldest.finish(), m.matching};
        p.models = std::move(next);
    }
    return p;
}

// One replay into the queries, with the given pairer.
template <class P>
struct Replay {
    template <class... Args>
    Replay(const AnalysisOptions &opts, replay::SiteIndex *sites, Args &&...pairer_args)
        : options(opts), pairer(std::forward<Args>(pairer_args)...), collector(options, out.strings),
          engine(pairer, collector, query_engine_options(options, sites))
    {
        collector.attach(engine);
    }
    // Takes in the counts and the queries of a replay of another shard, finished (this one too or not).
    void absorb(Replay &other)
    {
        absorbed.absorb(other.engine.counters());
        absorbed.absorb(other.absorbed);
        collector.absorb(std::move(other.collector));
    }
    // After engine.finish(): the reports, with those of the replays absorbed.
    Analysis finish()
    {
        replay::ReplayCounters c = engine.counters();
        c.absorb(absorbed);
        collector.finish(out, c.last_ns);
        out.summary = make_summary(c, collector.findings_dropped());
        return std::move(out);
    }
    AnalysisOptions options;
    Analysis out;
    P pairer;
    Collector collector;
    replay::ReplayEngine engine;
    replay::ReplayCounters absorbed; // of the other shards' replays absorbed
};

// No pairing wanted: one replay fed by the read itself (the reader on a thread of its own when there is a CPU for it).
Analysis count_only(const TracePass &pass, const AnalysisOptions &options)
{
    struct Sink final : EventSink { // the engine's EventSink, as the reader calls it
        replay::ReplayEngine &engine;
        explicit Sink(replay::ReplayEngine &e) : engine(e) {}
        void on_event(const Event &e) override { engine.on_event(e); }
        void on_module(const ModuleEvent &) override {}
        void on_loss(const Loss &l) override { engine.on_loss(l); }
        void prefetch(const Event &e, unsigned stage) const override { engine.prefetch(e, stage); }
    };
    replay::SiteIndex sites;
    Replay<replay::OldestFirstPairer> r(options, &sites); // what it pairs is never reported
    Sink sink(r.engine);
    read_into(pass, sink, options);
    r.engine.finish();
    return r.finish();
}

} // namespace

struct AttributePass::Impl : Replay<attribute::ModelPairer> {
    Impl(const attribute::LearnedModels &models, const AnalysisOptions &opts)
        : Replay(opts, models.oldest_first.index().get(), models)
    {
    }
};

AttributePass::AttributePass(const attribute::LearnedModels &models, const AnalysisOptions &options)
    : impl_(std::make_unique<Impl>(models, options))
{
}

AttributePass::~AttributePass() = default;

void AttributePass::on_event(const Event &e)
{
    impl_->engine.on_event(e);
}

void AttributePass::on_loss(const Loss &l)
{
    impl_->engine.on_loss(l);
}

void AttributePass::prefetch(const Event &e, unsigned stage) const
{
    impl_->engine.prefetch(e, stage);
}

Analysis AttributePass::finish()
{
    impl_->engine.finish();
    return impl_->finish();
}

attribute::LearnedModels learn(const TracePass &pass, const AnalysisOptions &options)
{
    return prepare(pass, options).models;
}

namespace {

using Shard = Replay<attribute::ModelPairer>;

// The attribution replay split by object (replay::shard_of) into `lanes` shards, each a replay of its lane
// of the spill (its objects' events, and when the others came, which moves its clock), replayed by
// `threads` threads in turn. Each thread takes in the shards it replayed as it goes (their states freed
// there), then the first thread's takes in the others': the reports of one replay of every object. One
// lane: that one replay, on this thread.
Analysis attribute_in_shards(const Prepared &p, const AnalysisOptions &options, unsigned lanes, unsigned threads)
{
    p.spill->seal(); // the replays below only read it
    std::atomic<unsigned> next{0};
    std::vector<std::unique_ptr<Shard>> done(threads); // each thread's shards, absorbed into its first
    std::vector<std::exception_ptr> errors(threads);
    const auto run = [&](unsigned t) {
        try {
            for (unsigned i; (i = next.fetch_add(1)) < lanes;) {
                AnalysisOptions o = options;
                o.engine.shard = i;
                o.engine.shards = lanes;
                auto shard = std::make_unique<Shard>(o, p.models.oldest_first.index().get(), p.models);
                p.spill->replay(shard->engine, i, lanes);
                shard->engine.finish();
                if (done[t])
                    done[t]->absorb(*shard);
                else
                    done[t] = std::move(shard);
            }
        } catch (...) {
            errors[t] = std::current_exception();
            next = lanes; // the other threads take no more
        }
    };
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < threads; ++t) {
        try {
            helpers.emplace_back(run, t);
        } catch (...) { // no thread to be had: the others take its shards
            break;
        }
    }
    run(0);
    for (std::thread &h : helpers)
        h.join();
    for (const std::exception_ptr &e : errors)
        if (e)
            std::rethrow_exception(e);
    std::unique_ptr<Shard> all; // a thread may have found every shard taken
    for (std::unique_ptr<Shard> &d : done) {
        if (!d)
            continue;
        if (all)
            all->absorb(*d);
        else
            all = std::move(d);
    }
    return all->finish();
}

} // namespace

Analysis analyze(const TracePass &pass, const AnalysisOptions &asked)
{
    AnalysisOptions options = asked;
    options.engine.shard = 0; // the analysis splits the attribution itself (attribute_in_shards)
    options.engine.shards = 1;
    if (!options.attribute)
        return count_only(pass, options);
    const unsigned lanes = attribution_lanes(options);
    Prepared p = prepare(pass, options, lanes);
    return attribute_in_shards(p, options, lanes, attribution_threads(options, lanes));
}

} // namespace refblame::analyzer::query
