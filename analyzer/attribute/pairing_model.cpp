// pairing_model.cpp: the learned site-pair statistics and the weight they give each candidate of an anonymous put.
#include "attribute/pairing_model.hpp"

#include <algorithm>
#include <cmath>

namespace refblame::analyzer::attribute {

namespace {

constexpr double prior_weight = 2.0;  // pseudo-exposures the prior hazard is worth
constexpr double neutral_prior = 0.5; // hazard before any evidence
constexpr double base_prior = 0.1;    // a base ref (obj_init) is a candidate for everything: no default win
constexpr double min_capacity_factor = 0.1;
constexpr double neutral_timing = 1.0 / 3; // density of a very broad hold-time distribution (sd = 3 in ln ns)
constexpr double min_hold_samples = 3;
constexpr double min_sd = 0.35; // ln units: hold times within ~x1.4 are alike
constexpr double timing_tail = 0.1;
constexpr double specificity_prior = 1.0;

} // namespace

std::optional<std::uint32_t> PairingModel::find(const SiteKey &site) const
{
    std::uint32_t id = index_->find(SiteKey{site.pid, site.address, 0}); // statistics are per caller
    if (id == 0 || id >= sites_.size())
        return std::nullopt;
    return id;
}

const PairStats *PairingModel::find_pair(std::uint32_t acquire, std::uint32_t release) const
{
    return pairs_.find(Pairs::key(acquire, release));
}

double PairingModel::weight(std::optional<std::uint32_t> acquire, std::optional<std::uint32_t> release, bool base_ref,
                            std::uint64_t age_ns, bool same_thread, AgeBias bias) const
{
    const PairStats *p = acquire && release ? find_pair(*acquire, *release) : nullptr;

    // Hazard: of the puts at this release site that found a ref of this acquire
    // site open, the share that released it. A long-lived ref (base, LRU, leaked)
    // is open at many puts and released by few, so it does not win by being there.
    double prior = base_ref ? base_prior : neutral_prior;
    double hazard = ((p ? p->paired : 0.0) + prior_weight * prior) / ((p ? p->exposure : 0.0) + prior_weight);

    // The release site's view: of the puts it made, the share that undid this
    // acquire site (most release sites undo one acquire site).
    double specificity = 1.0;
    if (release)
        specificity = ((p ? p->paired : 0.0) + specificity_prior) / (site(*release).puts + specificity_prior);

    // Capacity, learned without any pairing decision: could this acquire site
    // alone have supplied every put this release site made on the same objects?
    double capacity = 1.0;
    if (release && site(*release).puts > 0)
        capacity = (p ? p->capacity : 0.0) / site(*release).puts;
    double supply = min_capacity_factor + (1 - min_capacity_factor) * capacity;

    // How usual this hold time is for the pair.
    // Without hold times for the pair: no preference (a tie falls to the oldest
    // open ref, DESIGN.md rule 3), or the learning pass's lean.
    double timing = neutral_timing;
    if (bias == AgeBias::younger)
        timing /= 1.0 + std::log1p(static_cast<double>(age_ns) / 1000.0) / 4.0;
    if (p && p->hold_weight >= min_hold_samples) {
        double mean = p->hold_sum / p->hold_weight;
        double var = std::max(p->hold_sq / p->hold_weight - mean * mean, 0.0);
        double sd = std::max(std::sqrt(var), min_sd);
        double z = (std::log(static_cast<double>(age_ns) + 1.0) - mean) / sd;
        // A heavy tail: an unusual hold of a well-known pair must not lose to a pair never seen.
        timing = (1 - timing_tail) * std::exp(-0.5 * std::min(z * z, 80.0)) / sd + timing_tail * neutral_timing;
    }

    // Whether the pair usually releases on the acquiring thread.
    double paired = p ? p->paired : 0.0;
    double same = p ? std::min(p->same_thread, paired) : 0.0;
    double thread = ((same_thread ? same : paired - same) + 0.5) / (paired + 1.0);

    return std::max(hazard * specificity * supply * timing * thread, 1e-300);
}

double PairingModel::evidence(std::optional<std::uint32_t> acquire, std::optional<std::uint32_t> release) const
{
    if (!acquire || !release)
        return 0;
    const PairStats *p = find_pair(*acquire, *release);
    return p ? p->paired : 0;
}

std::optional<double> PairingModel::leak_ratio(const SiteKey &key) const
{
    std::optional<std::uint32_t> s = find(key);
    if (!s)
        return std::nullopt;
    double total = site(*s).released + site(*s).never;
    if (total <= 0)
        return std::nullopt;
    return site(*s).never / total;
}

} // namespace refblame::analyzer::attribute
