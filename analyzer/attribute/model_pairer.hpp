// model_pairer.hpp: pairs each anonymous put with the open reference the learned model says it most likely undoes.
#pragma once

#include "attribute/pairing_model.hpp"
#include "replay/pairer.hpp"

namespace refblame::analyzer::attribute {

// The pairer of a learning pass: one model (the one being learned), one lean.
class LearningPairer final : public replay::Pairer {
public:
    LearningPairer(const PairingModel &model, AgeBias bias, const Matchings *matching = nullptr)
        : model_(model), bias_(bias), matching_(matching)
    {
    }

    replay::PairChoice choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind kind,
                              const std::vector<std::size_t> &candidates, std::vector<double> &weights) override;

private:
    const PairingModel &model_;
    AgeBias bias_;
    const Matchings *matching_;
};

// The pairer of the attribution pass: DESIGN.md rule 2 (inferred) with rule 3
// (guess) as its fallback. A choice is `inferred` when the site is forced
// (every candidate from one site), or when both learned models put at least
// `inferred_posterior` of their belief on the chosen site and have seen that
// (acquire, release) pair at least `min_evidence` times. When the models pick
// different sites the trace cannot tell: a guess, on their averaged belief.
// With no learned pairing for any candidate: rule 3, the oldest open get.
// Before any of that, the site matching (site_matching.hpp) narrows the
// candidates: a put at a matched release site takes its partner's refs (an
// inferred choice), and no other put takes a reserved site's refs while
// others are open.
class ModelPairer final : public replay::Pairer {
public:
    static constexpr double inferred_posterior = 0.9;
    static constexpr double min_evidence = 2.0;

    explicit ModelPairer(const LearnedModels &models) : models_(models) {}

    replay::PairChoice choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind kind,
                              const std::vector<std::size_t> &candidates, std::vector<double> &weights) override;

private:
    const LearnedModels &models_;
    std::vector<double> other_; // scratch: the second model's weights
};

// What the site matching leaves of `candidates`: zeroes the weights of the
// others. Returns true when it decided the site (the put's matched partner is open).
bool narrow_by_matching(const Matchings *matching, const replay::ObjectState &obj, const Event &put,
                        const std::vector<std::size_t> &candidates, std::vector<double> &weights);

} // namespace refblame::analyzer::attribute
