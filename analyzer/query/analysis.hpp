// analysis.hpp: the analyzer library's entry point: learn pass(es), then the attribution pass that fills every report.
#pragma once

#include "attribute/pairing_model.hpp"
#include "model/event.hpp"
#include "model/report.hpp"
#include "replay/engine.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace refblame::analyzer::query {

struct AnalysisOptions {
    std::optional<std::int32_t> pid;     // --pid: only this process
    std::optional<std::string> kind;     // --kind: only objects of this kind
    std::optional<std::uint64_t> object; // holders/history: this object address
    std::optional<std::uint64_t> at_ns;  // holders --at (default: end of trace)
    bool history = false;                // history: keep every event of `object`
    // Keep every failed freeze with its holders (blockers, and the `blocked` counts of sites). Their
    // memory grows with the number of failed freezes; the rest of the analysis stays flat.
    bool blockers = true;
    // Pair puts with gets (learning, then attribution). Off for the answers no pairing changes (stats,
    // balance: counts, generations, continuity, findings): one replay during the read, no spill.
    bool attribute = true;
    int learn_passes = 1;                // replays that learn the pairing model before attributing
    // 1: read and analyze on one thread; 0: two when there are 2+ CPUs; N > 1: two, and N threads attribute.
    int threads = 0;
    // The attribution replays the objects in this many shards, one after another on each of its threads
    // (a lane of the spill each: replay/event_spill.hpp). 0: 16; 1: one replay of all, as always with `object`.
    int lanes = 0;
    std::size_t max_findings = 10000;    // findings listed (all are counted)
    replay::EngineOptions engine;        // reordering window (pid is taken from `pid`)
};

struct Analysis {
    TraceSummary summary;
    std::vector<Blocked> blocked;      // every failed freeze, in time order
    std::vector<SiteStats> sites;      // most failed freezes blocked first
    std::vector<LeakedObject> leaks;   // freed with refs first, then most refs
    std::vector<LeakSite> leak_sites;  // most refs first
    std::vector<ObjectState> holders;  // `object` at `at_ns` or the end, one per process
    std::vector<HistoryEntry> history; // `object`, every generation, in replay order
    std::vector<Finding> findings;     // program bugs, in time order
    std::vector<SiteUse> site_uses;    // every (caller, stack) the events came from (stacks, wrappers, balance)
    std::set<std::string, std::less<>> strings; // backs string_views in `history`
};

// One full pass over the trace, in time order, into `sink`. The analysis calls it once: the
// events go to a spill file (replay/event_spill.hpp) that the later passes read back.
using TracePass = std::function<void(EventSink &sink)>;

// The attribution pass as an EventSink, for drivers that feed passes themselves.
class AttributePass final : public EventSink {
public:
    AttributePass(const attribute::LearnedModels &models, const AnalysisOptions &options);
    ~AttributePass() override;
    void on_event(const Event &e) override;
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override;
    void prefetch(const Event &e, unsigned stage) const override;
    Analysis finish(); // throws UserError for an --object that is not in the trace

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Reads the trace once (site ids, whole-life tallies -> the site matching, the
// spill), learns the pairing models from `learn_passes` replays of the spill
// (each decides with the previous one's models; both models learn from one
// replay), then analyze() attributes in one more replay of the spill.
attribute::LearnedModels learn(const TracePass &pass, const AnalysisOptions &options);
Analysis analyze(const TracePass &pass, const AnalysisOptions &options);

} // namespace refblame::analyzer::query
