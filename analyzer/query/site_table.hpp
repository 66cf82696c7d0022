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
    void acquired(const SiteKey &site, std::uint64_t units);
    void released(const SiteKey &site, std::uint64_t units, std::uint64_t hold_ns);
    void outstanding(const SiteKey &site, std::uint64_t units);
    void blocked(const SiteKey &site, std::uint64_t refs); // once per failed freeze the site blocked

    const SiteStats *find(const SiteKey &site) const;

    // Most failed freezes blocked first, then blocking refs, outstanding refs, gets.
    std::vector<SiteStats> report() const;

private:
    struct Row {
        SiteStats stats;
        std::array<std::uint32_t, 256> hold_histogram{}; // bucket = floor(4 * log2(hold_ns + 1))
    };
    Row &row(const SiteKey &site);

    std::unordered_map<SiteKey, Row, attribute::SiteKeyHash> rows_;
};

} // namespace refblame::analyzer::query
