// analysis.cpp: wires the attribution pass: replay engine -> model pairer -> the queries that fill the reports.
#include "query/analysis.hpp"

#include "attribute/learner.hpp"
#include "attribute/model_pairer.hpp"
#include "query/blockers.hpp"
#include "query/leaks.hpp"
#include "query/object_queries.hpp"
#include "query/site_table.hpp"
#include "query/summary.hpp"

#include <algorithm>

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
    }
    void on_acquire(const replay::ObjectState &o, const Event &, const replay::OpenRef &r) override
    {
        if (wanted(o))
            sites_.acquired(r.site, static_cast<std::uint64_t>(r.units));
    }
    void on_release(const replay::ObjectState &o, const Event &e, const replay::Release &r) override
    {
        if (object_)
            object_->on_release(o, e, r);
        if (!wanted(o) || r.kind == replay::ReleaseKind::resync)
            return;
        std::uint64_t hold = e.time_ns > r.ref->time_ns ? e.time_ns - r.ref->time_ns : 0;
        sites_.released(r.ref->site, static_cast<std::uint64_t>(r.units), hold);
    }
    void on_applied(const replay::ObjectState &o, const Event &e, bool continuity_break) override
    {
        if (object_)
            object_->on_applied(o, e, continuity_break);
    }
    void on_failed_freeze(const replay::ObjectState &o, const Event &e) override
    {
        if (wanted(o))
            blockers_.on_failed_freeze(o, e);
    }
    void on_successful_freeze(const replay::ObjectState &o, const Event &) override
    {
        if (wanted(o))
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
    std::optional<ObjectQueries> object_;
    std::uint64_t findings_dropped_ = 0;
};

// One read feeding two sinks.
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

replay::EngineOptions engine_options(const AnalysisOptions &options)
{
    replay::EngineOptions e = options.engine;
    e.pid = options.pid;
    return e;
}

} // namespace

struct AttributePass::Impl {
    Impl(const attribute::LearnedModels &models, const AnalysisOptions &opts)
        : options(opts), pairer(models), collector(options, out),
          engine(pairer, collector, engine_options(options))
    {
    }
    AnalysisOptions options;
    Analysis out;
    attribute::ModelPairer pairer;
    Collector collector;
    replay::ReplayEngine engine;
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
    impl_->engine.finish();
    const replay::ReplayCounters &c = impl_->engine.counters();
    impl_->collector.finish(impl_->out, c.last_ns);
    impl_->out.summary = make_summary(c, impl_->collector.findings_dropped());
    return std::move(impl_->out);
}

attribute::LearnedModels learn(const TracePass &pass, const AnalysisOptions &options)
{
    attribute::LearnedModels models;
    for (int i = 0; i < std::max(options.learn_passes, 1); ++i) {
        bool again = i > 0;
        attribute::LearnPass younger(again ? &models.younger_first : nullptr, attribute::AgeBias::younger,
                                     engine_options(options));
        attribute::LearnPass oldest(again ? &models.oldest_first : nullptr, attribute::AgeBias::none,
                                    engine_options(options));
        TeeSink both(younger, oldest);
        pass(both);
        attribute::LearnedModels next{younger.finish(), oldest.finish()};
        models = std::move(next);
    }
    return models;
}

Analysis analyze(const TracePass &pass, const AnalysisOptions &options)
{
    attribute::LearnedModels models = learn(pass, options);
    AttributePass attribute_pass(models, options);
    pass(attribute_pass);
    return attribute_pass.finish();
}

} // namespace refblame::analyzer::query
