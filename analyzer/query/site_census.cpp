// site_census.cpp: counts each site's reference units taken and dropped, straight from the events (no pairing involved).
#include "query/site_census.hpp"

#include <algorithm>

namespace refblame::analyzer::query {

void SiteCensus::add(const Event &e, const replay::ReplayEngine *replay)
{
    const SiteKey key{e.pid, e.caller, e.stack_id};
    if (e.site != 0 && e.site < by_site_id_.size() && by_site_id_[e.site] != no_index) {
        last_ = key;
        last_index_ = by_site_id_[e.site];
    } else if (!(key == last_) || last_index_ == no_index) {
        auto [it, fresh] = index_.try_emplace(key, uses_.size());
        if (fresh) {
            uses_.push_back(SiteUse{key});
            first_.push_back(replay ? replay->order(e.pid, e.obj) : replay::ReplayOrder{});
        }
        last_ = key;
        last_index_ = it->second;
        if (e.site != 0) { // the analysis's site id: the next event of this site needs no hash
            if (e.site >= by_site_id_.size())
                by_site_id_.resize(static_cast<std::size_t>(e.site) + 1, no_index);
            by_site_id_[e.site] = last_index_;
        }
    }
    SiteUse &u = uses_[last_index_];
    ++u.events;
    std::int64_t delta = 0;
    switch (e.op) {
    case Op::mod:
    case Op::mod_and_test:
    case Op::mod_and_return: delta = e.val; break;
    case Op::mod_unless: delta = e.ret ? e.val : 0; break;
    case Op::obj_init: delta = e.count; break; // the references an object starts with are taken here
    case Op::set:
    case Op::freeze:
    case Op::unfreeze: ++u.other; return;
    case Op::obj_free:
    case Op::move: return;
    }
    if (delta > 0)
        u.acquired += static_cast<std::uint64_t>(delta);
    else
        u.released += static_cast<std::uint64_t>(-delta);
}

void SiteCensus::absorb(const SiteCensus &other)
{
    for (std::size_t i = 0; i < other.uses_.size(); ++i) {
        const SiteUse &theirs = other.uses_[i];
        auto [it, fresh] = index_.try_emplace(theirs.site, uses_.size());
        if (fresh) {
            uses_.push_back(theirs);
            first_.push_back(other.first_[i]);
            continue;
        }
        SiteUse &u = uses_[it->second];
        u.acquired += theirs.acquired;
        u.released += theirs.released;
        u.other += theirs.other;
        u.events += theirs.events;
        first_[it->second] = std::min(first_[it->second], other.first_[i]);
    }
    by_site_id_.clear(); // indexes are reordered below, at take()
    last_index_ = no_index;
}

std::vector<SiteUse> SiteCensus::take()
{
    // First-seen order (uses_ is already in it unless shards were absorbed).
    std::vector<std::size_t> order(uses_.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return first_[a] < first_[b]; });
    std::vector<SiteUse> out;
    out.reserve(uses_.size());
    for (std::size_t i : order)
        out.push_back(uses_[i]);
    uses_.clear();
    first_.clear();
    index_.clear();
    by_site_id_.clear();
    last_index_ = no_index;
    return out;
}

} // namespace refblame::analyzer::query
