// blockers.hpp: every failed freeze with every reference open then, the expected ones told apart from the blockers.
#pragma once

#include "model/report.hpp"
#include "query/holder_groups.hpp"
#include "query/site_table.hpp"
#include "replay/engine.hpp"
#include "replay/object_state.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace refblame::analyzer::query {

// Which sites hold references at successful freezes, per object kind.
class FreezePresence {
public:
    void on_successful_freeze(const replay::ObjectState &obj);
    void absorb(const FreezePresence &other);
    // Share of the successful freezes of `kind` at which `site` held a ref; -1: none of that kind seen.
    double share(const std::string &kind, const SiteKey &site) const;

private:
    struct Kind {
        double successful = 0;
        std::unordered_map<SiteKey, double, SiteKeyHash> present;
    };
    std::unordered_map<std::string, Kind> kinds_;
};

// Marks `expected` units of `units` as the ones the freeze expected (the rest
// blocked it), most expected first: the obj_init base ref; refs from sites
// present at successful freezes of objects of the same kind; refs from sites
// whose refs are usually released (a leaking site is never expected); refs held
// for most of the object's life (an LRU ref) over recent ones. `sites` and
// `presence` are what the whole attribution pass saw.
void mark_expected(std::vector<HeldUnit> &units, int expected, const std::string &kind, std::uint64_t life_start_ns,
                   std::uint64_t time_ns, const SiteTable &sites, const FreezePresence &presence);

class BlockersQuery {
public:
    // `order`: when in the replay (ReplayEngine::order), to merge shards in one replay's order.
    void on_failed_freeze(const replay::ObjectState &obj, const Event &e, replay::ReplayOrder order = {});
    void on_successful_freeze(const replay::ObjectState &obj) { presence_.on_successful_freeze(obj); }
    // Takes in another shard's failed and successful freezes (before finish()).
    void absorb(BlockersQuery &&other);

    // Judges the expected refs with everything the pass saw, credits the
    // blocking sites in `sites`, and returns the blocked freezes in time order.
    std::vector<Blocked> finish(SiteTable &sites);

private:
    struct Pending {
        Blocked blocked; // holders filled at finish
        std::uint64_t life_start_ns = 0;
        std::vector<HeldUnit> units;
        replay::ReplayOrder order;
    };
    std::vector<Pending> pending_;
    std::vector<std::vector<Pending>> absorbed_; // other shards' pending_, each in replay order
    FreezePresence presence_;
};

} // namespace refblame::analyzer::query
