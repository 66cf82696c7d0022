// pairing_metrics.hpp: scores the analyzer's attribution against a scenario's ground truth (recall, precision, guesses).
#pragma once

#include "model/report.hpp"
#include "page_pool_scenario.hpp"
#include "replay/engine.hpp"
#include "replay/pairer.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace refblame::analyzer::testing {

// Holders reported at failed freezes vs the references truly open then, by site.
struct HolderScore {
    std::uint64_t moments = 0;
    std::uint64_t truth_refs = 0;        // references truly open at those moments
    std::uint64_t confident_refs = 0;    // reported refs labelled exact or inferred
    std::uint64_t confident_correct = 0; // of those, at a site that truly held that many
    std::uint64_t guess_refs = 0;        // reported refs labelled guess
    std::uint64_t any_correct = 0;       // correct whatever the label
    double precision() const { return confident_refs ? double(confident_correct) / double(confident_refs) : 1.0; }
    double recall() const { return truth_refs ? double(confident_correct) / double(truth_refs) : 1.0; }
    double accuracy() const { return truth_refs ? double(any_correct) / double(truth_refs) : 1.0; }
    double guess_share() const { return truth_refs ? double(guess_refs) / double(truth_refs) : 0.0; }
    std::string str() const;
};
HolderScore score_blocked(const Scenario &s, const std::vector<Blocked> &blocked);

// Each anonymous put's pairing vs the get it truly undoes.
struct PutScore {
    std::uint64_t puts = 0;
    std::uint64_t site_correct = 0;      // paired with a ref of the right acquire site
    std::uint64_t inferred = 0, inferred_correct = 0;
    std::uint64_t guesses = 0;
    double site_accuracy() const { return puts ? double(site_correct) / double(puts) : 1.0; }
    double inferred_precision() const { return inferred ? double(inferred_correct) / double(inferred) : 1.0; }
    std::string str() const;
};
// `release_site` != 0: only the puts made at that site. `sites`: the SiteIndex the pairer's
// models were learned with (their site ids), e.g. models.oldest_first.index().get().
PutScore score_puts(const Scenario &s, replay::Pairer &pairer, std::uint64_t release_site = 0,
                    replay::SiteIndex *sites = nullptr);

// The naive rule DESIGN.md warns about: the newest open ref taken on the putting thread, else the newest.
class NewestSameThreadPairer final : public replay::Pairer {
public:
    replay::PairChoice choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind kind,
                              const std::vector<std::size_t> &candidates, std::vector<double> &weights) override;
};

} // namespace refblame::analyzer::testing
