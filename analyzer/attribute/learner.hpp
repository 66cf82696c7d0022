// learner.hpp: pass 1: replays the trace once and learns the PairingModel that pass 2 attributes with.
#pragma once

#include "attribute/model_pairer.hpp"
#include "attribute/pairing_model.hpp"
#include "replay/engine.hpp"
#include "replay/observer.hpp"

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
    explicit Learner(const PairingModel *decide_with = nullptr, AgeBias bias = AgeBias::none);

    replay::PairChoice choose(const replay::ObjectState &obj, const Event &put, replay::ReleaseKind kind,
                              const std::vector<std::size_t> &candidates, std::vector<double> &weights) override;

    void before_event(const replay::ObjectState &obj, const Event &e) override;
    void on_acquire(const replay::ObjectState &obj, const Event &e, const replay::OpenRef &ref) override;
    void on_release(const replay::ObjectState &obj, const Event &e, const replay::Release &r) override;
    void on_generation_end(const replay::ObjectState &obj, std::uint64_t time_ns, replay::EndReason why) override;

    const PairingModel &model() const { return model_; }
    PairingModel take() { return std::move(model_); }

private:
    struct Counts { // per live object generation: units gotten per acquire site, put per release site
        std::uint32_t generation = 0;
        std::vector<std::pair<std::uint32_t, std::int64_t>> gets, puts;
    };
    struct Key {
        std::int32_t pid;
        std::uint64_t obj;
        friend bool operator==(const Key &, const Key &) = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key &k) const noexcept
        {
            return std::hash<std::uint64_t>{}(k.obj * 0x9e3779b97f4a7c15ull ^ static_cast<std::uint32_t>(k.pid));
        }
    };
    Counts &counts_for(const replay::ObjectState &obj);
    void add_pairing(std::uint32_t acquire, std::uint32_t release, double weight, bool forced,
                     std::uint64_t age_ns, bool same_thread);

    PairingModel model_;
    LearningPairer pairer_;
    std::unordered_map<Key, Counts, KeyHash> counts_;
};

// A learning pass as an EventSink: feed it the whole trace, then take the model.
class LearnPass final : public EventSink {
public:
    explicit LearnPass(const PairingModel *decide_with = nullptr, AgeBias bias = AgeBias::none,
                       replay::EngineOptions options = {})
        : learner_(decide_with, bias), engine_(learner_, learner_, options)
    {
    }
    void on_event(const Event &e) override { engine_.on_event(e); }
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override { engine_.on_loss(l); }

    PairingModel finish()
    {
        engine_.finish();
        return learner_.take();
    }

private:
    Learner learner_;
    replay::ReplayEngine engine_;
};

} // namespace refblame::analyzer::attribute
