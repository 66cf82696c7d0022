// collector.cpp: the queries fed from one attribution replay, and the merge of shards' collectors.
#include "query/collector.hpp"

#include "query/analysis.hpp"

#include <algorithm>

namespace refblame::analyzer::query {

Collector::Collector(const AnalysisOptions &options, std::set<std::string, std::less<>> &strings) : options_(options)
{
    if (options.object)
        object_.emplace(*options.object, options.at_ns, options.history, strings);
}

bool Collector::wanted(const replay::ObjectState &o) const
{
    return !options_.kind || o.kind == *options_.kind;
}

void Collector::before_event(const replay::ObjectState &o, const Event &e)
{
    if (object_)
        object_->before_event(o, e);
    if (wanted(o))
        census_.add(e, engine_);
}

void Collector::on_acquire(const replay::ObjectState &o, const Event &, const replay::OpenRef &r)
{
    if (wanted(o))
        sites_.acquired(r.site, static_cast<std::uint64_t>(r.units), r.site_id);
}

void Collector::on_release(const replay::ObjectState &o, const Event &e, const replay::Release &r)
{
    if (object_)
        object_->on_release(o, e, r);
    if (!wanted(o) || r.kind == replay::ReleaseKind::resync)
        return;
    std::uint64_t hold = e.time_ns > r.ref->time_ns ? e.time_ns - r.ref->time_ns : 0;
    sites_.released(r.ref->site, static_cast<std::uint64_t>(r.units), hold, r.ref->site_id);
}

void Collector::on_applied(const replay::ObjectState &o, const Event &e, bool continuity_break)
{
    if (object_)
        object_->on_applied(o, e, continuity_break);
}

void Collector::on_failed_freeze(const replay::ObjectState &o, const Event &e)
{
    if (wanted(o) && options_.blockers)
        blockers_.on_failed_freeze(o, e, order(o.key.pid, o.key.obj));
}

void Collector::on_successful_freeze(const replay::ObjectState &o, const Event &)
{
    if (wanted(o) && options_.blockers)
        blockers_.on_successful_freeze(o);
}

void Collector::on_generation_end(const replay::ObjectState &o, std::uint64_t time_ns, replay::EndReason why)
{
    if (object_)
        object_->on_generation_end(o, time_ns, why);
    if (!wanted(o))
        return;
    for (const replay::OpenRef &r : o.refs)
        sites_.outstanding(r.site, static_cast<std::uint64_t>(r.units));
    leaks_.on_end(o, time_ns, why != replay::EndReason::end_of_trace);
}

void Collector::on_finding(const Finding &f)
{
    if (options_.kind && f.kind != *options_.kind)
        return;
    if (findings_.size() < options_.max_findings) {
        findings_.push_back(f);
        finding_orders_.push_back(order(f.object.pid, f.object.obj));
    } else {
        ++findings_dropped_;
    }
}

void Collector::absorb(Collector &&other)
{
    sites_.absorb(other.sites_);
    blockers_.absorb(std::move(other.blockers_));
    leaks_.absorb(other.leaks_);
    census_.absorb(other.census_);
    // The findings a single replay would have listed: the first max_findings in its order.
    std::vector<Finding> findings;
    std::vector<replay::ReplayOrder> orders;
    const std::size_t total = findings_.size() + other.findings_.size();
    const std::size_t keep = std::min(total, options_.max_findings);
    findings.reserve(keep);
    orders.reserve(keep);
    std::size_t a = 0, b = 0;
    while (findings.size() < keep) {
        const bool mine = b == other.findings_.size() ||
                          (a < findings_.size() && !(other.finding_orders_[b] < finding_orders_[a]));
        findings.push_back(std::move(mine ? findings_[a] : other.findings_[b]));
        orders.push_back(mine ? finding_orders_[a++] : other.finding_orders_[b++]);
    }
    findings_dropped_ += other.findings_dropped_ + (total - keep);
    findings_ = std::move(findings);
    finding_orders_ = std::move(orders);
}

void Collector::finish(Analysis &out, std::uint64_t end_ns)
{
    out.blocked = blockers_.finish(sites_);
    out.sites = sites_.report();
    out.leaks = leaks_.objects();
    out.leak_sites = leaks_.sites();
    out.site_uses = census_.take();
    out.findings = std::move(findings_);
    std::stable_sort(out.findings.begin(), out.findings.end(),
                     [](const Finding &a, const Finding &b) { return a.time_ns < b.time_ns; });
    if (object_) {
        out.holders = object_->holders(end_ns);
        out.history = object_->take_history();
    }
}

} // namespace refblame::analyzer::query
