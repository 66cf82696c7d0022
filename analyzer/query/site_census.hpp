// site_census.hpp: what every call site (caller + recorded stack) did to the counts: units taken and dropped, other ops; for stacks, wrappers and the balance view.
#pragma once

#include "model/event.hpp"
#include "model/report.hpp"
#include "replay/engine.hpp"

#include <cstddef>
#include <unordered_map>
#include <vector>

namespace refblame::analyzer::query {

class SiteCensus {
public:
    // `replay`: the engine replaying `e`; its order() says when a site was first seen, to merge shards in one
    // replay's order. Asked only then, not built at every event (a 32-byte copy through the stack).
    void add(const Event &e, const replay::ReplayEngine *replay = nullptr);
    void absorb(const SiteCensus &other); // another shard's events
    std::vector<SiteUse> take(); // in first-seen order

private:
    struct Hash {
        std::size_t operator()(const SiteKey &k) const noexcept
        {
            return std::hash<std::uint64_t>{}(k.address * 0x9e3779b97f4a7c15ull ^
                                              (std::uint64_t(std::uint32_t(k.pid)) << 32 | k.stack_id));
        }
    };
    std::unordered_map<SiteKey, std::size_t, Hash> index_;
    std::vector<SiteUse> uses_;
    std::vector<replay::ReplayOrder> first_; // when each use's first event was replayed
    static constexpr std::size_t no_index = static_cast<std::size_t>(-1);
    std::vector<std::size_t> by_site_id_; // Event::site -> index in uses_ (no_index: not yet)
    SiteKey last_{unknown_id, 0, 0};
    std::size_t last_index_ = no_index;
};

} // namespace refblame::analyzer::query
