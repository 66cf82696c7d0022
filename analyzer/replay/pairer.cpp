// pairer.cpp: helpers shared by pairers, and the oldest-first rule of last resort.
#include "replay/pairer.hpp"

namespace refblame::analyzer::replay {

bool single_site(const ObjectState &obj, const std::vector<std::size_t> &candidates)
{
    for (std::size_t i = 1; i < candidates.size(); ++i)
        if (!(obj.refs[candidates[i]].site == obj.refs[candidates[0]].site))
            return false;
    return true;
}

std::size_t best_candidate(const ObjectState &obj, const std::vector<std::size_t> &candidates,
                           const std::vector<double> &weights)
{
    double top = 0;
    for (double w : weights)
        top = w > top ? w : top;
    std::size_t best = 0;
    bool have = false;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (weights[i] < top * (1 - 1e-9))
            continue;
        if (!have) {
            best = i;
            have = true;
            continue;
        }
        const OpenRef &a = obj.refs[candidates[i]];
        const OpenRef &b = obj.refs[candidates[best]];
        bool a_base = a.origin == RefOrigin::base, b_base = b.origin == RefOrigin::base;
        if (a_base != b_base) {
            if (!a_base)
                best = i;
            continue;
        }
        if (a.time_ns < b.time_ns || (a.time_ns == b.time_ns && a.id < b.id))
            best = i;
    }
    return best;
}

PairChoice OldestFirstPairer::choose(const ObjectState &obj, const Event &, ReleaseKind,
                                     const std::vector<std::size_t> &candidates, std::vector<double> &weights)
{
    weights.assign(candidates.size(), 1.0);
    PairChoice c;
    c.index = best_candidate(obj, candidates, weights);
    c.forced = single_site(obj, candidates);
    c.confidence = c.forced ? Confidence::inferred : Confidence::guess;
    // Uniform weights: with no evidence every candidate is as likely to be the one released.
    c.site_posterior = c.forced ? 1.0 : 1.0 / static_cast<double>(candidates.size());
    return c;
}

} // namespace refblame::analyzer::replay
