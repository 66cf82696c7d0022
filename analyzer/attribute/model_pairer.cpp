// model_pairer.cpp: scores every candidate with the learned model(s), picks the best, labels the rule.
#include "attribute/model_pairer.hpp"

#include <algorithm>

namespace refblame::analyzer::attribute {

namespace {

constexpr double plausible_share = 0.2; // a guess picks the oldest among near-ties: this share of the best weight

// Weights of every candidate under `model`; returns their sum, and in `evidence`
// the most pairings the model saw between any candidate's site and the put's site.
double score(const PairingModel &model, AgeBias bias, const replay::ObjectState &obj, const Event &put,
             const std::vector<std::size_t> &candidates, std::vector<double> &weights, double *evidence = nullptr)
{
    std::optional<std::uint32_t> release = model.find(SiteKey{put.pid, put.caller, put.stack_id});
    weights.resize(candidates.size());
    double total = 0;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
        const replay::OpenRef &r = obj.refs[candidates[k]];
        std::uint64_t age = put.time_ns >= r.time_ns ? put.time_ns - r.time_ns : 0;
        std::optional<std::uint32_t> acquire = model.find(r.site);
        weights[k] = model.weight(acquire, release, r.origin == replay::RefOrigin::base, age, r.tid == put.tid, bias);
        total += weights[k];
        if (evidence)
            *evidence = std::max(*evidence, model.evidence(acquire, release));
    }
    return total;
}

// Share of the weight on candidates acquired at `site`.
double site_share(const replay::ObjectState &obj, const std::vector<std::size_t> &candidates,
                  const std::vector<double> &weights, double total, const SiteKey &site)
{
    double on_site = 0;
    for (std::size_t k = 0; k < candidates.size(); ++k)
        if (obj.refs[candidates[k]].site == site)
            on_site += weights[k];
    return total > 0 ? on_site / total : 0.0;
}

} // namespace

replay::PairChoice LearningPairer::choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind,
                                          const std::vector<std::size_t> &candidates, std::vector<double> &weights)
{
    double total = score(model_, bias_, obj, put, candidates, weights);
    replay::PairChoice c;
    c.index = replay::best_candidate(obj, candidates, weights);
    c.forced = replay::single_site(obj, candidates);
    c.site_posterior = c.forced ? 1.0 : site_share(obj, candidates, weights, total, obj.refs[candidates[c.index]].site);
    c.confidence = Confidence::guess; // learning passes report nothing
    return c;
}

replay::PairChoice ModelPairer::choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind,
                                       const std::vector<std::size_t> &candidates, std::vector<double> &weights)
{
    const PairingModel &a = models_.oldest_first, &b = models_.younger_first;
    double evidence = 0;
    double total_a = score(a, AgeBias::none, obj, put, candidates, weights, &evidence);
    double total_b = score(b, AgeBias::none, obj, put, candidates, other_, &evidence);
    replay::PairChoice c;
    c.forced = replay::single_site(obj, candidates);

    if (evidence < min_evidence) {
        weights.assign(candidates.size(), 1.0); // rule 3: no evidence either way
        c.index = replay::best_candidate(obj, candidates, weights);
        c.site_posterior = c.forced ? 1.0 : 1.0 / static_cast<double>(candidates.size());
        c.confidence = c.forced ? Confidence::inferred : Confidence::guess;
        return c;
    }

    std::size_t pick_a = replay::best_candidate(obj, candidates, weights);
    std::size_t pick_b = replay::best_candidate(obj, candidates, other_);
    const SiteKey &site_a = obj.refs[candidates[pick_a]].site, &site_b = obj.refs[candidates[pick_b]].site;
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
            const SiteKey &s = obj.refs[candidates[k]].site;
            disputed[k] = s == site_a || s == site_b ? 1.0 : 0.0;
        }
        c.index = replay::best_candidate(obj, candidates, disputed);
    }
    const SiteKey &chosen = obj.refs[candidates[c.index]].site;
    c.site_posterior = c.forced ? 1.0 : site_share(obj, candidates, weights, 2.0, chosen);
    if (c.forced) {
        c.confidence = Confidence::inferred;
        return c;
    }
    std::optional<std::uint32_t> release_a = a.find(SiteKey{put.pid, put.caller, put.stack_id});
    std::optional<std::uint32_t> release_b = b.find(SiteKey{put.pid, put.caller, put.stack_id});
    bool supported = a.evidence(a.find(chosen), release_a) >= min_evidence &&
                     b.evidence(b.find(chosen), release_b) >= min_evidence;
    bool sure = std::min(share_a, share_b) >= inferred_posterior;
    c.confidence = agree && sure && supported ? Confidence::inferred : Confidence::guess;
    if (c.confidence == Confidence::guess) { // rule 3 among the plausible: the oldest open get
        double top = *std::max_element(weights.begin(), weights.end());
        std::vector<double> plausible(candidates.size(), 0.0);
        for (std::size_t k = 0; k < candidates.size(); ++k)
            plausible[k] = weights[k] >= plausible_share * top ? 1.0 : 0.0;
        c.index = replay::best_candidate(obj, candidates, plausible);
        c.site_posterior = site_share(obj, candidates, weights, 2.0, obj.refs[candidates[c.index]].site);
    }
    return c;
}

} // namespace refblame::analyzer::attribute
