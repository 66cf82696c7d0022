// collector.hpp: the attribution replay's observer: fans its callbacks out to the queries (applying --kind), and merges the collectors of replays that each took one shard of the objects.
#pragma once

#include "model/report.hpp"
#include "query/blockers.hpp"
#include "query/leaks.hpp"
#include "query/object_queries.hpp"
#include "query/site_census.hpp"
#include "query/site_table.hpp"
#include "replay/engine.hpp"
#include "replay/observer.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace refblame::analyzer::query {

struct Analysis;
struct AnalysisOptions;

class Collector final : public replay::ReplayObserver {
public:
    // `strings` backs the history's string views (--object); options.max_findings caps the findings listed.
    Collector(const AnalysisOptions &options, std::set<std::string, std::less<>> &strings);

    // The engine whose callbacks these are: its order() orders what shards found when merged.
    void attach(const replay::ReplayEngine &engine) { engine_ = &engine; }

    void before_event(const replay::ObjectState &o, const Event &e) override;
    void on_acquire(const replay::ObjectState &o, const Event &, const replay::OpenRef &r) override;
    void on_release(const replay::ObjectState &o, const Event &e, const replay::Release &r) override;
    void on_applied(const replay::ObjectState &o, const Event &e, bool continuity_break) override;
    void on_failed_freeze(const replay::ObjectState &o, const Event &e) override;
    void on_successful_freeze(const replay::ObjectState &o, const Event &) override;
    void on_generation_end(const replay::ObjectState &o, std::uint64_t time_ns, replay::EndReason why) override;
    void on_finding(const Finding &f) override;

    // Takes in what another shard's collector gathered (same options, the same stream, other objects):
    // afterwards this one holds what a single replay of every object would have (--object: not sharded).
    void absorb(Collector &&other);

    // After the replay: the reports into `out`. `end_ns`: the end of the trace (holders' default moment).
    void finish(Analysis &out, std::uint64_t end_ns);
    std::uint64_t findings_dropped() const { return findings_dropped_; } // past max_findings

private:
    bool wanted(const replay::ObjectState &o) const;
    replay::ReplayOrder order(std::int32_t pid, std::uint64_t obj) const
    {
        return engine_ ? engine_->order(pid, obj) : replay::ReplayOrder{};
    }

    const AnalysisOptions &options_;
    const replay::ReplayEngine *engine_ = nullptr;
    SiteTable sites_;
    BlockersQuery blockers_;
    LeaksQuery leaks_;
    SiteCensus census_;
    std::optional<ObjectQueries> object_;
    std::vector<Finding> findings_;
    std::vector<replay::ReplayOrder> finding_orders_; // when each finding was made, for merging
    std::uint64_t findings_dropped_ = 0;
};

} // namespace refblame::analyzer::query
