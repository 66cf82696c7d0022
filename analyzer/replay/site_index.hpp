// site_index.hpp: dense ids for call sites (pid, caller, stack id), so the stages after the reader index arrays instead of hashing per event.
#pragma once

#include "model/event.hpp"
#include "model/report.hpp"

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace refblame::analyzer::replay {

// Id 0 is never given: Event::site == 0 means "not interned yet".
class SiteIndex {
public:
    SiteIndex() : keys_(1), callers_(1, 0) {}

    std::uint32_t intern(const SiteKey &site);
    // The event's site id, interning (pid, caller, stack_id) when the event has none yet.
    std::uint32_t of(const Event &e)
    {
        return e.site ? e.site : intern(SiteKey{e.pid, e.caller, e.stack_id});
    }
    // The id of (pid, caller) without the stack: what attribution keys by.
    std::uint32_t caller_of(std::uint32_t id) const { return callers_[id]; }
    // Sets e.site and e.caller_site.
    void assign(Event &e)
    {
        e.site = of(e);
        e.caller_site = callers_[e.site];
    }
    const SiteKey &key(std::uint32_t id) const { return keys_[id]; }
    std::uint32_t find(const SiteKey &site) const; // 0 when never interned
    std::size_t size() const { return keys_.size(); } // ids are below this

private:
    struct Cached {
        SiteKey key{unknown_id, 0, 0};
        std::uint32_t id = 0; // 0: empty
    };
    static constexpr std::size_t cache_size = 256; // direct-mapped: a program's hot sites, without hashing
    std::unordered_map<SiteKey, std::uint32_t, SiteKeyHash> index_;
    std::vector<SiteKey> keys_;
    std::vector<std::uint32_t> callers_; // id -> id of (pid, address, 0)
    std::array<Cached, cache_size> cache_{};
};

} // namespace refblame::analyzer::replay
