// learner.cpp: accumulates the pairing model during pass 1 (soft, belief-weighted evidence).
#include "attribute/learner.hpp"

#include "replay/continuity.hpp"

#include <algorithm>
#include <cmath>

namespace refblame::analyzer::attribute {

Learner::Learner(const PairingModel *decide_with, AgeBias bias, const Matchings *matching,
                 std::shared_ptr<replay::SiteIndex> sites)
    : model_(sites ? std::move(sites) : std::make_shared<replay::SiteIndex>()),
      pairer_(decide_with ? *decide_with : model_, bias, matching), matching_(matching)
{
}

void Learner::add_pairing(std::uint32_t acquire, std::uint32_t release, double weight, bool forced,
                          std::uint64_t age_ns, bool same_thread)
{
    if (weight <= 0)
        return;
    PairStats &p = model_.pair(acquire, release);
    p.paired += weight;
    if (forced)
        p.forced += weight;
    double x = std::log(static_cast<double>(age_ns) + 1.0);
    p.hold_weight += weight;
    p.hold_sum += weight * x;
    p.hold_sq += weight * x * x;
    if (same_thread)
        p.same_thread += weight;
    model_.site(acquire).released += weight;
}

replay::PairChoice Learner::choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind kind,
                                   const std::vector<std::size_t> &candidates, std::vector<double> &weights)
{
    replay::PairChoice c = pairer_.choose(obj, put, kind, candidates, weights);
    if (kind != replay::ReleaseKind::put || candidates.empty() || obj.refs[candidates[0]].holder != 0)
        return c; // not the program releasing an anonymous reference
    std::uint32_t release = put.caller_site;
    double total = 0;
    for (double w : weights)
        total += w;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        const replay::OpenRef &r = obj.refs[candidates[k]];
        if (c.matched && weights[k] <= 0)
            continue; // a matched release site's statistics cover its partner only
        double belief = total > 0 ? weights[k] / total : 1.0 / static_cast<double>(candidates.size());
        std::uint64_t age = put.time_ns >= r.time_ns ? put.time_ns - r.time_ns : 0;
        std::uint32_t acquire = r.caller_id;
        model_.pair(acquire, release).exposure += r.units;
        add_pairing(acquire, release, belief, c.forced, age, r.tid == put.tid);
    }
    return c;
}

void Learner::before_event(const replay::ObjectState &obj, const Event &e)
{
    std::optional<std::int32_t> d = replay::relative_delta(e);
    if (!d || *d >= 0 || e.holder != 0)
        return;
    std::uint32_t release = e.caller_site ? e.caller_site : model_.intern(SiteKey{e.pid, e.caller, 0});
    model_.site(release).puts += 1;
    if (matching_ && (matching_->by_caller.partner_of(release) || matching_->by_stack.partner_of(e.site)))
        return; // its pairings are decided by the matching: no weights needed
    // Capacity: could each acquire site alone have supplied every put this release site made on the object?
    std::int64_t puts = 0;
    for (const replay::SiteTally &t : obj.tally)
        if (t.site == release)
            puts = t.puts;
    for (const replay::SiteTally &t : obj.tally)
        if (t.gets > puts)
            model_.pair(t.site, release).capacity += 1;
}

void Learner::on_acquire(const replay::ObjectState &, const Event &, const replay::OpenRef &ref)
{
    model_.site(ref.caller_id).gets += ref.units;
}

void Learner::on_release(const replay::ObjectState &, const Event &e, const replay::Release &r)
{
    if (r.kind != replay::ReleaseKind::tracked_put) // anonymous puts were learned in choose()
        return;
    std::uint64_t age = e.time_ns >= r.ref->time_ns ? e.time_ns - r.ref->time_ns : 0;
    std::uint32_t acquire = r.ref->caller_id, release = e.caller_site;
    model_.pair(acquire, release).exposure += r.units;
    add_pairing(acquire, release, r.units, true, age, r.ref->tid == e.tid);
}

void Learner::on_generation_end(const replay::ObjectState &obj, std::uint64_t, replay::EndReason)
{
    for (const auto *list : {&obj.refs, &obj.frozen_refs})
        for (const replay::OpenRef &r : *list)
            model_.site(r.caller_id).never += r.units;
}

} // namespace refblame::analyzer::attribute
