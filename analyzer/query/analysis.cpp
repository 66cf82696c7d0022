// analysis.cpp: one read of the trace into a spill, the learning passes and the attribution pass over the spill, and the queries that fill the reports.
#include "query/analysis.hpp"

#include "attribute/learner.hpp"
#include "attribute/model_pairer.hpp"
#include "query/blockers.hpp"
#include "query/first_pass.hpp"
#include "query/leaks.hpp"
#include "query/object_queries.hpp"
#include "query/site_census.hpp"
#include "query/site_table.hpp"
#include "query/summary.hpp"
#include "query/worker_sink.hpp"

#include <algorithm>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <memory>
#include <thread>

namespace refblame::analyzer::query {

namespace {

// Fans the replay's callbacks out to the queries, applying --kind.
class Collector final : public replay::ReplayObserver {
public:
    Collector(const AnalysisOptions &options, Analysis &out)
        : options_(options), out_(out)
    {
        if (options.object)
            object_.emplace(*options.object, options.at_ns, options.history, out.strings);
    }

    void before_event(const replay::ObjectState &o, const Event &e) override
    {
        if (object_)
            object_->before_event(o, e);
        if (wanted(o))
            census_.add(e);
    }
    void on_acquire(const replay::ObjectState &o, const Event &, const replay::OpenRef &r) override
    {
        if (wanted(o))
            sites_.acquired(r.site, static_cast<std::uint64_t>(r.units), r.site_id);
    }
    void on_release(const replay::ObjectState &o, const Event &e, const replay::Release &r) override
    {
        if (object_)
            object_->on_release(o, e, r);
        if (!wanted(o) || r.kind == replay::ReleaseKind::resync)
            return;
        std::uint64_t hold = e.time_ns > r.ref->time_ns ? e.time_ns - r.ref->time_ns : 0;
        sites_.released(r.ref->site, static_cast<std::uint64_t>(r.units), hold, r.ref->site_id);
    }
    void on_applied(const replay::ObjectState &o, const Event &e, bool continuity_break) override
    {
        if (object_)
            object_->on_applied(o, e, continuity_break);
    }
    void on_failed_freeze(const replay::ObjectState &o, const Event &e) override
    {
        if (wanted(o))
            if (options_.blockers)
                blockers_.on_failed_freeze(o, e);
    }
    void on_successful_freeze(const replay::ObjectState &o, const Event &) override
    {
        if (wanted(o))
            if (options_.blockers)
                blockers_.on_successful_freeze(o);
    }
    void on_generation_end(const replay::ObjectState &o, std::uint64_t time_ns, replay::EndReason why) override
    {
        if (object_)
            object_->on_generation_end(o, time_ns, why);
        if (!wanted(o))
            return;
        for (const replay::OpenRef &r : o.refs)
            sites_.outstanding(r.site, static_cast<std::uint64_t>(r.units));
        leaks_.on_end(o, time_ns, why != replay::EndReason::end_of_trace);
    }
    void on_finding(const Finding &f) override
    {
        if (options_.kind && f.kind != *options_.kind)
            return;
        if (out_.findings.size() < options_.max_findings)
            out_.findings.push_back(f);
        else
            ++findings_dropped_;
    }

    void finish(Analysis &out, std::uint64_t end_ns)
    {
        out.blocked = blockers_.finish(sites_);
        out.sites = sites_.report();
        out.leaks = leaks_.objects();
        out.leak_sites = leaks_.sites();
        out.site_uses = census_.take();
        std::stable_sort(out.findings.begin(), out.findings.end(),
                         [](const Finding &a, const Finding &b) { return a.time_ns < b.time_ns; });
        if (object_) {
            out.holders = object_->holders(end_ns);
            out.history = object_->take_history();
        }
    }
    std::uint64_t findings_dropped() const { return findings_dropped_; }

private:
    bool wanted(const replay::ObjectState &o) const { return !options_.kind || o.kind == *options_.kind; }

    const AnalysisOptions &options_;
    Analysis &out_;
    SiteTable sites_;
    BlockersQuery blockers_;
    LeaksQuery leaks_;
    SiteCensus census_;
    std::optional<ObjectQueries> object_;
    std::uint64_t findings_dropped_ = 0;
};

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

bool use_threads(const AnalysisOptions &options)
{
    return options.threads == 0 ? std::thread::hardware_concurrency() > 1 : options.threads > 1;
}

// The read, into `sink`: on a worker thread while the reader decodes, when there is a CPU for it.
void read_into(const TracePass &pass, EventSink &sink, const AnalysisOptions &options)
{
    if (!use_threads(options)) {
        pass(sink);
        return;
    }
#ifdef __GLIBC__
    // One malloc arena for both threads: the one glibc gives a new thread grew with trace
    // length (fragmentation; measured peak RSS 28 -> 40 MiB from 1 M to 10 M events, one arena: 28 -> 31).
    mallopt(M_ARENA_MAX, 1);
#endif
    WorkerSink worker(sink);
    pass(worker);
    worker.finish();
}

// The trace read once (site ids, whole-life tallies, the spill, both models), then more learning if asked.
struct Prepared {
    std::shared_ptr<replay::SiteIndex> sites = std::make_shared<replay::SiteIndex>();
    std::unique_ptr<replay::EventSpill> spill = std::make_unique<replay::EventSpill>(*sites);
    attribute::LearnedModels models;
};

Prepared prepare(const TracePass &pass, const AnalysisOptions &options)
{
    Prepared p;
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
        : options(opts), pairer(std::forward<Args>(pairer_args)...), collector(options, out),
          engine(pairer, collector, engine_options(options, sites))
    {
    }
    Analysis finish()
    {
        engine.finish();
        const replay::ReplayCounters &c = engine.counters();
        collector.finish(out, c.last_ns);
        out.summary = make_summary(c, collector.findings_dropped());
        return std::move(out);
    }
    AnalysisOptions options;
    Analysis out;
    P pairer;
    Collector collector;
    replay::ReplayEngine engine;
};

// No pairing wanted: one replay fed by the read itself (on a worker thread when there is a CPU for it).
Analysis count_only(const TracePass &pass, const AnalysisOptions &options)
{
    struct Sink final : EventSink { // the engine's EventSink, as the reader calls it
        replay::ReplayEngine &engine;
        explicit Sink(replay::ReplayEngine &e) : engine(e) {}
        void on_event(const Event &e) override { engine.on_event(e); }
        void on_module(const ModuleEvent &) override {}
        void on_loss(const Loss &l) override { engine.on_loss(l); }
    };
    replay::SiteIndex sites;
    Replay<replay::OldestFirstPairer> r(options, &sites); // what it pairs is never reported
    Sink sink(r.engine);
    read_into(pass, sink, options);
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

Analysis AttributePass::finish()
{
    return impl_->finish();
}

attribute::LearnedModels learn(const TracePass &pass, const AnalysisOptions &options)
{
    return prepare(pass, options).models;
}

Analysis analyze(const TracePass &pass, const AnalysisOptions &options)
{
    if (!options.attribute)
        return count_only(pass, options);
    Prepared p = prepare(pass, options);
    AttributePass attribute_pass(p.models, options);
    p.spill->replay(attribute_pass);
    return attribute_pass.finish();
}

} // namespace refblame::analyzer::query
