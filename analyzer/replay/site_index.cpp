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
    if (fresh) {
        if (keys_.size() == UINT32_MAX)
            throw std::length_error("site index: more than 2^32 call sites");
        keys_.push_back(site);
    }
    c.key = site;
    c.id = it->second;
    return it->second;
}

std::uint32_t SiteIndex::find(const SiteKey &site) const
{
    auto it = index_.find(site);
    return it == index_.end() ? 0 : it->second;
}

} // namespace refblame::analyzer::replay
