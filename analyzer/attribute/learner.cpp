// learner.cpp: accumulates the pairing model during pass 1 (soft, belief-weighted evidence).
#include "attribute/learner.hpp"

#include "replay/continuity.hpp"

#include <algorithm>
#include <cmath>

namespace refblame::analyzer::attribute {

namespace {

std::int64_t &slot(std::vector<std::pair<std::uint32_t, std::int64_t>> &v, std::uint32_t site)
{
    for (auto &[s, n] : v)
        if (s == site)
            return n;
    v.emplace_back(site, 0);
    return v.back().second;
}

} // namespace

Learner::Learner(const PairingModel *decide_with, AgeBias bias) : pairer_(decide_with ? *decide_with : model_, bias)
{
}

Learner::Counts &Learner::counts_for(const replay::ObjectState &obj)
{
    Counts &c = counts_[Key{obj.key.pid, obj.key.obj}];
    if (c.generation != obj.key.generation) {
        c = Counts{};
        c.generation = obj.key.generation;
    }
    return c;
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
    std::uint32_t release = model_.intern(SiteKey{put.pid, put.caller, put.stack_id});
    double total = 0;
    for (double w : weights)
        total += w;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        const replay::OpenRef &r = obj.refs[candidates[k]];
        double belief = total > 0 ? weights[k] / total : 1.0 / static_cast<double>(candidates.size());
        std::uint64_t age = put.time_ns >= r.time_ns ? put.time_ns - r.time_ns : 0;
        std::uint32_t acquire = model_.intern(r.site);
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
    // Capacity: could each acquire site alone have supplied every put this release site made on the object?
    std::uint32_t release = model_.intern(SiteKey{e.pid, e.caller, e.stack_id});
    Counts &c = counts_for(obj);
    std::int64_t &puts = slot(c.puts, release);
    for (const auto &[acquire, gets] : c.gets)
        if (gets > puts)
            model_.pair(acquire, release).capacity += 1;
    model_.site(release).puts += 1;
    puts += -static_cast<std::int64_t>(*d);
}

void Learner::on_acquire(const replay::ObjectState &obj, const Event &, const replay::OpenRef &ref)
{
    std::uint32_t acquire = model_.intern(ref.site);
    model_.site(acquire).gets += ref.units;
    slot(counts_for(obj).gets, acquire) += ref.units;
}

void Learner::on_release(const replay::ObjectState &, const Event &e, const replay::Release &r)
{
    if (r.kind != replay::ReleaseKind::tracked_put) // anonymous puts were learned in choose()
        return;
    std::uint64_t age = e.time_ns >= r.ref->time_ns ? e.time_ns - r.ref->time_ns : 0;
    std::uint32_t acquire = model_.intern(r.ref->site), release = model_.intern(SiteKey{e.pid, e.caller, e.stack_id});
    model_.pair(acquire, release).exposure += r.units;
    add_pairing(acquire, release, r.units, true, age, r.ref->tid == e.tid);
}

void Learner::on_generation_end(const replay::ObjectState &obj, std::uint64_t, replay::EndReason)
{
    for (const auto *list : {&obj.refs, &obj.frozen_refs})
        for (const replay::OpenRef &r : *list)
            model_.site(model_.intern(r.site)).never += r.units;
    counts_.erase(Key{obj.key.pid, obj.key.obj});
}

} // namespace refblame::analyzer::attribute
