// learner.hpp: pass 1: replays the trace once and learns the PairingModel that pass 2 attributes with.
#pragma once

#include "attribute/model_pairer.hpp"
#include "attribute/pairing_model.hpp"
#include "replay/engine.hpp"
#include "replay/observer.hpp"

#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

namespace refblame::analyzer::attribute {

// Pairs with `decide_with` (or with what it has learned so far), leaning
// `bias` where nothing is learned yet, and accumulates, belief-weighted: which
// acquire sites each release site undoes, hold times and threads per pair,
// which sites' refs are never released, and the decision-free capacity evidence.
class Learner final : public replay::Pairer, public replay::ReplayObserver {
public:
    // `sites`: the analysis's SiteIndex (the model's site ids); `matching`: site pairs decided before learning.
    explicit Learner(const PairingModel *decide_with = nullptr, AgeBias bias = AgeBias::none,
                     const Matchings *matching = nullptr, std::shared_ptr<replay::SiteIndex> sites = nullptr);

    replay::PairChoice choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind kind,
                              const std::vector<std::size_t> &candidates, std::vector<double> &weights) override;

    void before_event(const replay::ObjectState &obj, const Event &e) override;
    void on_acquire(const replay::ObjectState &obj, const Event &e, const replay::OpenRef &ref) override;
    void on_release(const replay::ObjectState &obj, const Event &e, const replay::Release &r) override;
    void on_generation_end(const replay::ObjectState &obj, std::uint64_t time_ns, replay::EndReason why) override;

    const PairingModel &model() const { return model_; }
    PairingModel take() { return std::move(model_); }

private:
    void add_pairing(std::uint32_t acquire, std::uint32_t release, double weight, bool forced,
                     std::uint64_t age_ns, bool same_thread);

    PairingModel model_;
    LearningPairer pairer_;
    const Matchings *matching_;
};

// A learning pass as an EventSink: feed it the whole trace, then take the model.
class LearnPass final : public EventSink {
public:
    explicit LearnPass(const PairingModel *decide_with = nullptr, AgeBias bias = AgeBias::none,
                       replay::EngineOptions options = {}, const Matchings *matching = nullptr,
                       std::shared_ptr<replay::SiteIndex> sites = nullptr)
        : sites_(sites ? std::move(sites) : std::make_shared<replay::SiteIndex>()),
          learner_(decide_with, bias, matching, sites_), engine_(learner_, learner_, with_sites(options, sites_.get()))
    {
    }
    void on_event(const Event &e) override { engine_.on_event(e); }
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override { engine_.on_loss(l); }
    void prefetch(const Event &e, unsigned stage) const override { engine_.prefetch(e, stage); }
    std::uint64_t held_lanes() const { return engine_.held_lanes(); } // replay::ReplayEngine::held_lanes

    PairingModel finish()
    {
        engine_.finish();
        return learner_.take();
    }

private:
    static replay::EngineOptions with_sites(replay::EngineOptions o, replay::SiteIndex *sites)
    {
        o.sites = sites;
        return o;
    }
    std::shared_ptr<replay::SiteIndex> sites_; // the engine's and the model's site ids
    Learner learner_;
    replay::ReplayEngine engine_;
};

} // namespace refblame::analyzer::attribute
