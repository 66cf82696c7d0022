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
    int learn_passes = 1;                // passes that learn the pairing model before attributing
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
    std::set<std::string, std::less<>> strings; // backs string_views in `history`
};

// One full pass over the trace, in time order, into `sink` (the reader re-reads the trace each time).
using TracePass = std::function<void(EventSink &sink)>;

// The attribution pass as an EventSink, for drivers that feed passes themselves.
class AttributePass final : public EventSink {
public:
    AttributePass(const attribute::LearnedModels &models, const AnalysisOptions &options);
    ~AttributePass() override;
    void on_event(const Event &e) override;
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override;
    Analysis finish(); // throws UserError for an --object that is not in the trace

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Learns the pairing models from `learn_passes` passes (each decides with the
// previous pass's models; both models of a pass learn from one read), then
// analyze() attributes in one more pass.
attribute::LearnedModels learn(const TracePass &pass, const AnalysisOptions &options);
Analysis analyze(const TracePass &pass, const AnalysisOptions &options);

} // namespace refblame::analyzer::query
