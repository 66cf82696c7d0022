// site_table.hpp: per acquire site: gets, releases, outstanding refs, hold times, failed freezes blocked.
#pragma once

#include "attribute/pairing_model.hpp"
#include "model/report.hpp"

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace refblame::analyzer::query {

class SiteTable {
public:
    // `site_id`: the site's SiteIndex id when the caller has it (0: none), which saves a hash lookup.
    void acquired(const SiteKey &site, std::uint64_t units, std::uint32_t site_id = 0);
    void released(const SiteKey &site, std::uint64_t units, std::uint64_t hold_ns, std::uint32_t site_id = 0);
    void outstanding(const SiteKey &site, std::uint64_t units);
    void blocked(const SiteKey &site, std::uint64_t refs); // once per failed freeze the site blocked
    void absorb(const SiteTable &other); // adds another table's rows (another shard of the objects)

    const SiteStats *find(const SiteKey &site) const;
    // The totals of every site with site's caller, whatever its recorded stack
    // (the code that takes the ref; its stacks only say who called it). Built
    // once, at the first call: call it when the pass is over.
    const SiteStats *find_caller(const SiteKey &site) const;

    // Most failed freezes blocked first, then blocking refs, outstanding refs, gets.
    std::vector<SiteStats> report() const;

private:
    struct Row {
        SiteStats stats;
    };
    Row &row(const SiteKey &site);
    Row &row(const SiteKey &site, std::uint32_t site_id);

    std::unordered_map<SiteKey, Row, SiteKeyHash> rows_; // node-based: Row addresses are stable
    std::vector<Row *> by_id_;                                      // SiteIndex id -> its row (null: not yet)
    mutable std::unordered_map<SiteKey, SiteStats, SiteKeyHash> callers_; // stack_id 0
    mutable bool callers_built_ = false;
};

} // namespace refblame::analyzer::query
