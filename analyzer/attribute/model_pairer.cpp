// model_pairer.cpp: scores every candidate with the learned model(s), picks the best, labels the rule.
#include "attribute/model_pairer.hpp"

#include <algorithm>

namespace refblame::analyzer::attribute {

namespace {

constexpr double plausible_share = 0.2; // a guess picks the oldest among near-ties: this share of the best weight

std::optional<std::uint32_t> known(const PairingModel &model, std::uint32_t site)
{
    return site != 0 && site < model.sites() ? std::optional<std::uint32_t>(site) : std::nullopt;
}

// Weights of every candidate under `model`; returns their sum.
double score(const PairingModel &model, AgeBias bias, const replay::ObjectState &obj, const Event &put,
             const std::vector<std::size_t> &candidates, std::vector<double> &weights)
{
    std::optional<std::uint32_t> release = known(model, put.caller_site);
    weights.resize(candidates.size());
    double total = 0;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        const replay::OpenRef &r = obj.refs[candidates[k]];
        std::uint64_t age = put.time_ns >= r.time_ns ? put.time_ns - r.time_ns : 0;
        weights[k] = model.weight(known(model, r.caller_id), release, r.origin == replay::RefOrigin::base, age,
                                  r.tid == put.tid, bias);
        total += weights[k];
    }
    return total;
}

// The most pairings `model` saw between the put's site and any candidate still allowed (weight > 0).
double evidence(const PairingModel &model, const replay::ObjectState &obj, const Event &put,
                const std::vector<std::size_t> &candidates, const std::vector<double> &weights)
{
    double most = 0;
    for (std::size_t k = 0; k < candidates.size(); ++k)
        if (weights[k] > 0)
            most = std::max(most, model.evidence(known(model, obj.refs[candidates[k]].caller_id),
                                                 known(model, put.caller_site)));
    return most;
}

double sum(const std::vector<double> &weights)
{
    double total = 0;
    for (double w : weights)
        total += w;
    return total;
}

// True when every allowed candidate (weight > 0) was acquired at one site.
bool one_site_left(const replay::ObjectState &obj, const std::vector<std::size_t> &candidates,
                   const std::vector<double> &weights)
{
    std::uint32_t site = 0;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        if (weights[k] <= 0)
            continue;
        std::uint32_t s = obj.refs[candidates[k]].caller_id;
        if (site != 0 && s != site)
            return false;
        site = s;
    }
    return true;
}

// Share of the weight on candidates acquired at `site`.
double site_share(const replay::ObjectState &obj, const std::vector<std::size_t> &candidates,
                  const std::vector<double> &weights, double total, std::uint32_t site)
{
    double on_site = 0;
    for (std::size_t k = 0; k < candidates.size(); ++k)
        if (obj.refs[candidates[k]].caller_id == site)
            on_site += weights[k];
    return total > 0 ? on_site / total : 0.0;
}

// The matched fast path: the put's release site is matched and its partner has open refs, so only
// they are weighed (by how well their ages fit the pair's hold times). False when it does not apply.
bool choose_matched(const PairingModel &model, const SiteMatching *matching, const replay::ObjectState &obj,
                    const Event &put, const std::vector<std::size_t> &candidates, std::vector<double> &weights,
                    replay::PairChoice &c)
{
    std::uint32_t partner = matching ? matching->partner_of(put.caller_site) : 0;
    if (partner == 0)
        return false;
    std::size_t n = 0, only = 0;
    for (std::size_t k = 0; k < candidates.size(); ++k)
        if (obj.refs[candidates[k]].caller_id == partner) {
            ++n;
            only = k;
        }
    if (n == 0)
        return false;
    weights.assign(candidates.size(), 0.0);
    if (n == 1) {
        weights[only] = 1.0;
        c.index = only;
    } else {
        std::optional<std::uint32_t> release = known(model, put.caller_site);
        for (std::size_t k = 0; k < candidates.size(); ++k) {
            const replay::OpenRef &r = obj.refs[candidates[k]];
            if (r.caller_id != partner)
                continue;
            std::uint64_t age = put.time_ns >= r.time_ns ? put.time_ns - r.time_ns : 0;
            weights[k] = model.weight(known(model, r.caller_id), release, r.origin == replay::RefOrigin::base, age,
                                      r.tid == put.tid);
        }
        c.index = replay::best_candidate(obj, candidates, weights);
    }
    c.forced = c.matched = true;
    c.site_posterior = 1.0;
    c.confidence = Confidence::inferred;
    return true;
}

} // namespace

bool narrow_by_matching(const SiteMatching *matching, const replay::ObjectState &obj, const Event &put,
                        const std::vector<std::size_t> &candidates, std::vector<double> &weights)
{
    if (!matching || matching->empty())
        return false;
    if (std::uint32_t partner = matching->partner_of(put.caller_site)) {
        bool open = false;
        for (std::size_t i : candidates)
            open |= obj.refs[i].caller_id == partner;
        if (open) {
            for (std::size_t k = 0; k < candidates.size(); ++k)
                if (obj.refs[candidates[k]].caller_id != partner)
                    weights[k] = 0;
            return true;
        }
    }
    const auto reserved_for_another = [&](std::size_t i) {
        std::uint32_t by = matching->reserved_by(obj.refs[i].caller_id);
        return by != 0 && by != put.caller_site;
    };
    bool any_free = false;
    for (std::size_t i : candidates)
        any_free |= !reserved_for_another(i);
    if (any_free)
        for (std::size_t k = 0; k < candidates.size(); ++k)
            if (reserved_for_another(candidates[k]))
                weights[k] = 0;
    return false;
}

replay::PairChoice LearningPairer::choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind,
                                          const std::vector<std::size_t> &candidates, std::vector<double> &weights)
{
    if (replay::PairChoice m; choose_matched(model_, matching_, obj, put, candidates, weights, m)) {
        m.confidence = Confidence::guess; // learning passes report nothing
        return m;
    }
    score(model_, bias_, obj, put, candidates, weights);
    narrow_by_matching(matching_, obj, put, candidates, weights);
    double total = sum(weights);
    replay::PairChoice c;
    c.index = replay::best_candidate(obj, candidates, weights);
    c.forced = one_site_left(obj, candidates, weights);
    c.site_posterior = c.forced ? 1.0 : site_share(obj, candidates, weights, total, obj.refs[candidates[c.index]].caller_id);
    c.confidence = Confidence::guess; // learning passes report nothing
    return c;
}

replay::PairChoice ModelPairer::choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind,
                                       const std::vector<std::size_t> &candidates, std::vector<double> &weights)
{
    const PairingModel &a = models_.oldest_first, &b = models_.younger_first;
    if (replay::PairChoice m; choose_matched(a, &models_.matching, obj, put, candidates, weights, m))
        return m;
    score(a, AgeBias::none, obj, put, candidates, weights);
    score(b, AgeBias::none, obj, put, candidates, other_);
    const SiteMatching *matching = &models_.matching;
    narrow_by_matching(matching, obj, put, candidates, weights); // the partner case was taken above
    narrow_by_matching(matching, obj, put, candidates, other_);
    double total_a = sum(weights), total_b = sum(other_);
    replay::PairChoice c;
    c.forced = one_site_left(obj, candidates, weights);

    if (std::max(evidence(a, obj, put, candidates, weights), evidence(b, obj, put, candidates, other_)) <
        min_evidence) {
        std::size_t allowed = 0;
        for (double &w : weights)
            allowed += (w = w > 0 ? 1.0 : 0.0) > 0; // rule 3: no evidence either way
        c.index = replay::best_candidate(obj, candidates, weights);
        c.site_posterior = c.forced ? 1.0 : 1.0 / static_cast<double>(std::max<std::size_t>(allowed, 1));
        c.confidence = c.forced ? Confidence::inferred : Confidence::guess;
        return c;
    }

    std::size_t pick_a = replay::best_candidate(obj, candidates, weights);
    std::size_t pick_b = replay::best_candidate(obj, candidates, other_);
    const std::uint32_t site_a = obj.refs[candidates[pick_a]].caller_id, site_b = obj.refs[candidates[pick_b]].caller_id;
    double share_a = site_share(obj, candidates, weights, total_a, site_a);
    double share_b = site_share(obj, candidates, other_, total_b, site_a);
    bool agree = site_a == site_b;
    // Both models' beliefs, averaged: the decision, and the doubt left on the others.
    for (std::size_t k = 0; k < candidates.size(); ++k)
        weights[k] = (total_a > 0 ? weights[k] / total_a : 0.0) + (total_b > 0 ? other_[k] / total_b : 0.0);
    if (agree) {
        c.index = pick_a;
    } else { // the trace cannot tell the two sites apart: rule 3, the oldest of their refs
        std::vector<double> disputed(candidates.size(), 0.0);
        for (std::size_t k = 0; k < candidates.size(); ++k) {
            const std::uint32_t s = obj.refs[candidates[k]].caller_id;
            disputed[k] = s == site_a || s == site_b ? 1.0 : 0.0;
        }
        c.index = replay::best_candidate(obj, candidates, disputed);
    }
    const replay::OpenRef &chosen = obj.refs[candidates[c.index]];
    c.site_posterior = c.forced ? 1.0 : site_share(obj, candidates, weights, 2.0, chosen.caller_id);
    if (c.forced) {
        c.confidence = Confidence::inferred;
        return c;
    }
    bool supported = a.evidence(known(a, chosen.caller_id), known(a, put.caller_site)) >= min_evidence &&
                     b.evidence(known(b, chosen.caller_id), known(b, put.caller_site)) >= min_evidence;
    bool sure = std::min(share_a, share_b) >= inferred_posterior;
    c.confidence = agree && sure && supported ? Confidence::inferred : Confidence::guess;
    if (c.confidence == Confidence::guess) { // rule 3 among the plausible: the oldest open get
        double top = *std::max_element(weights.begin(), weights.end());
        std::vector<double> plausible(candidates.size(), 0.0);
        for (std::size_t k = 0; k < candidates.size(); ++k)
            plausible[k] = weights[k] > 0 && weights[k] >= plausible_share * top ? 1.0 : 0.0;
        c.index = replay::best_candidate(obj, candidates, plausible);
        c.site_posterior = site_share(obj, candidates, weights, 2.0, obj.refs[candidates[c.index]].caller_id);
    }
    return c;
}

} // namespace refblame::analyzer::attribute
