// site_index.cpp: interning call sites (a small direct-mapped cache before the hash table).
#include "replay/site_index.hpp"

#include <stdexcept>

namespace refblame::analyzer::replay {

std::uint32_t SiteIndex::intern(const SiteKey &site)
{
    Cached &c = cache_[(site.address ^ site.address >> 9 ^ site.stack_id * 0x9e37u ^
                        static_cast<std::uint32_t>(site.pid)) % cache_size];
    if (c.id != 0 && c.key == site)
        return c.id;
    auto [it, fresh] = index_.try_emplace(site, static_cast<std::uint32_t>(keys_.size()));
    const std::uint32_t id = it->second; // `it` does not survive the interning of the caller below
    if (fresh) {
        if (keys_.size() >= UINT32_MAX - 1)
            throw std::length_error("site index: more than 2^32 call sites");
        keys_.push_back(site);
        callers_.push_back(id);
        if (site.stack_id != 0)
            callers_[id] = intern(SiteKey{site.pid, site.address, 0});
    }
    c.key = site;
    c.id = id;
    return id;
}

std::uint32_t SiteIndex::find(const SiteKey &site) const
{
    auto it = index_.find(site);
    return it == index_.end() ? 0 : it->second;
}

} // namespace refblame::analyzer::replay
