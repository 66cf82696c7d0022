// first_pass.hpp: the analysis's one read of the trace: site ids, whole-life tallies, the spill for the later passes, and both pairing models learned on the way.
#pragma once

#include "attribute/learner.hpp"
#include "attribute/life_flows.hpp"
#include "attribute/pairing_model.hpp"
#include "model/event.hpp"
#include "replay/engine.hpp"
#include "replay/event_spill.hpp"
#include "replay/site_index.hpp"

#include <cstdint>
#include <memory>
#include <optional>

namespace refblame::analyzer::query {

// The learning engines decide with the site matching the lives completed so
// far support (refreshed as lives end); the attribution pass gets the final
// one, which also knows the lives still open at the end.
class FirstPass final : public EventSink {
public:
    // `options.sites` must be `sites`; `options.pid` filters like the later passes.
    FirstPass(std::shared_ptr<replay::SiteIndex> sites, replay::EventSpill &spill, const replay::EngineOptions &options);

    void on_event(const Event &raw) override;
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override;
    void prefetch(const Event &e, unsigned stage) const override; // the tallies' and both learners' objects

    // After the read: both models and the final matching.
    attribute::LearnedModels finish();

private:
    std::shared_ptr<replay::SiteIndex> sites_;
    replay::EventSpill &spill_;
    std::optional<std::int32_t> pid_;
    std::optional<std::int32_t> last_pid_;
    attribute::LifeFlows flows_;       // by caller
    attribute::LifeFlows stack_flows_; // by caller and stack, once an event carried a stack
    bool stacks_seen_ = false;
    attribute::Matchings matching_; // provisional until finish(); the learners point here
    std::uint64_t next_refresh_ = 8;   // lives ended when the matching is next recomputed
    attribute::LearnPass younger_, oldest_;
};

} // namespace refblame::analyzer::query
