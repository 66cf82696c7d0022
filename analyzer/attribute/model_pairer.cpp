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

// One granularity of the matching: which ids of the put and of the open refs it speaks of.
struct Level {
    const SiteMatching &m;
    bool by_stack;
    std::uint32_t of(const Event &put) const { return by_stack ? put.site : put.caller_site; }
    std::uint32_t of(const replay::OpenRef &r) const { return by_stack ? r.site_id : r.caller_id; }
};

// The put's matched partner at `level` when it has refs open among the candidates (0 otherwise), and how many.
std::uint32_t open_partner(const Level &level, const replay::ObjectState &obj, const Event &put,
                           const std::vector<std::size_t> &candidates, std::size_t &n, std::size_t &only)
{
    n = 0;
    std::uint32_t partner = level.m.empty() ? 0 : level.m.partner_of(level.of(put));
    if (partner == 0)
        return 0;
    for (std::size_t k = 0; k < candidates.size(); ++k)
        if (level.of(obj.refs[candidates[k]]) == partner) {
            ++n;
            only = k;
        }
    return n ? partner : 0;
}

// The finest level at which the put's partner is open: by stack, then by caller.
std::optional<Level> deciding_level(const Matchings *matching, const replay::ObjectState &obj, const Event &put,
                                    const std::vector<std::size_t> &candidates, std::uint32_t &partner,
                                    std::size_t &n, std::size_t &only)
{
    if (!matching)
        return std::nullopt;
    for (Level level : {Level{matching->by_stack, true}, Level{matching->by_caller, false}})
        if ((partner = open_partner(level, obj, put, candidates, n, only)) != 0)
            return level;
    return std::nullopt;
}

// The matched fast path: the put's release site is matched and its partner has open refs, so only
// they are weighed (by how well their ages fit the pair's hold times). False when it does not apply.
bool choose_matched(const PairingModel &model, const Matchings *matching, const replay::ObjectState &obj,
                    const Event &put, const std::vector<std::size_t> &candidates, std::vector<double> &weights,
                    replay::PairChoice &c)
{
    std::uint32_t partner = 0;
    std::size_t n = 0, only = 0;
    std::optional<Level> level = deciding_level(matching, obj, put, candidates, partner, n, only);
    if (!level)
        return false;
    weights.assign(candidates.size(), 0.0);
    if (n == 1) {
        weights[only] = 1.0;
        c.index = only;
    } else {
        std::optional<std::uint32_t> release = known(model, put.caller_site);
        for (std::size_t k = 0; k < candidates.size(); ++k) {
            const replay::OpenRef &r = obj.refs[candidates[k]];
            if (level->of(r) != partner)
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

bool narrow_by_matching(const Matchings *matching, const replay::ObjectState &obj, const Event &put,
                        const std::vector<std::size_t> &candidates, std::vector<double> &weights)
{
    if (!matching || (matching->by_caller.empty() && matching->by_stack.empty()))
        return false;
    std::uint32_t partner = 0;
    std::size_t n = 0, only = 0;
    if (std::optional<Level> level = deciding_level(matching, obj, put, candidates, partner, n, only)) {
        for (std::size_t k = 0; k < candidates.size(); ++k)
            if (level->of(obj.refs[candidates[k]]) != partner)
                weights[k] = 0;
        return true;
    }
    // A ref whose site is matched (at either level) to another release site is that site's to undo.
    const auto reserved_for_another = [&](std::size_t i) {
        const replay::OpenRef &r = obj.refs[i];
        std::uint32_t by = matching->by_caller.reserved_by(r.caller_id);
        if (by != 0 && by != put.caller_site)
            return true;
        by = matching->by_stack.reserved_by(r.site_id);
        return by != 0 && by != put.site;
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
    const Matchings *matching = &models_.matching;
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
