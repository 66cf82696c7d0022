// blockers.cpp: snapshots the holders at each failed freeze; at the end, tells expected refs from blockers and credits sites.
#include "query/blockers.hpp"

#include <algorithm>
#include <numeric>

namespace refblame::analyzer::query {

void FreezePresence::on_successful_freeze(const replay::ObjectState &obj)
{
    Kind &k = kinds_[std::string(obj.kind)];
    k.successful += 1;
    // By caller: which code takes the refs a freeze expects does not depend on who called it (its stack).
    const auto caller = [](const SiteKey &s) { return SiteKey{s.pid, s.address, 0}; };
    for (std::size_t i = 0; i < obj.refs.size(); ++i) {
        bool again = false;
        for (std::size_t j = 0; j < i && !again; ++j)
            again = caller(obj.refs[j].site) == caller(obj.refs[i].site);
        if (!again)
            k.present[caller(obj.refs[i].site)] += 1;
    }
}

void FreezePresence::absorb(const FreezePresence &other)
{
    for (const auto &[name, theirs] : other.kinds_) {
        Kind &k = kinds_[name];
        k.successful += theirs.successful;
        for (const auto &[site, n] : theirs.present)
            k.present[site] += n;
    }
}

double FreezePresence::share(const std::string &kind, const SiteKey &site) const
{
    auto k = kinds_.find(kind);
    if (k == kinds_.end() || k->second.successful <= 0)
        return -1;
    auto p = k->second.present.find(SiteKey{site.pid, site.address, 0});
    return p == k->second.present.end() ? 0.0 : p->second / k->second.successful;
}

void mark_expected(std::vector<HeldUnit> &units, int expected, const std::string &kind, std::uint64_t life_start_ns,
                   std::uint64_t time_ns, const SiteTable &sites, const FreezePresence &presence)
{
    std::uint64_t life = time_ns > life_start_ns ? time_ns - life_start_ns : 0;
    std::vector<double> score(units.size());
    for (std::size_t i = 0; i < units.size(); ++i) {
        const HeldUnit &u = units[i];
        double s = u.base ? 4 : 0;
        s += 3 * std::max(presence.share(kind, u.site), 0.0);
        const SiteStats *st = sites.find_caller(u.site);
        double ended = st ? static_cast<double>(st->puts + st->outstanding) : 0;
        s += ended > 0 ? static_cast<double>(st->puts) / ended : 0.5; // leaking sites are not expected
        std::uint64_t age = time_ns > u.since_ns ? time_ns - u.since_ns : 0;
        s += life > 0 ? static_cast<double>(std::min(age, life)) / static_cast<double>(life) : 0.0;
        score[i] = s;
    }
    std::vector<std::size_t> order(units.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (score[a] != score[b])
            return score[a] > score[b];
        return units[a].since_ns < units[b].since_ns;
    });
    int left = std::max(expected, 0);
    std::vector<HeldUnit> out;
    out.reserve(units.size() + 1);
    for (std::size_t i : order) {
        HeldUnit u = units[i];
        int take = std::min(left, u.units);
        left -= take;
        if (take > 0) {
            HeldUnit e = u;
            e.units = take;
            e.expected = true;
            out.push_back(e);
        }
        if (u.units > take) {
            u.units -= take;
            u.expected = false;
            out.push_back(u);
        }
    }
    units = std::move(out);
}

void BlockersQuery::on_failed_freeze(const replay::ObjectState &obj, const Event &e, replay::ReplayOrder order)
{
    Pending p;
    p.order = order;
    Blocked &b = p.blocked;
    b.object = obj.key;
    b.kind = std::string(obj.kind);
    b.time_ns = e.time_ns;
    b.tid = e.tid;
    b.expected = e.val;
    b.count = e.count;
    b.freeze_site = SiteKey{e.pid, e.caller, e.stack_id};
    b.uncertain = obj.uncertain;
    p.life_start_ns = obj.first_ns;
    p.units = held_units(obj);
    pending_.push_back(std::move(p));
}

void BlockersQuery::absorb(BlockersQuery &&other)
{
    presence_.absorb(other.presence_);
    absorbed_.push_back(std::move(other.pending_)); // interleaved by finish(), which frees as it goes
    for (std::vector<Pending> &part : other.absorbed_)
        absorbed_.push_back(std::move(part));
    other.pending_.clear();
    other.absorbed_.clear();
}

std::vector<Blocked> BlockersQuery::finish(SiteTable &sites)
{
    std::vector<std::vector<Pending> *> parts{&pending_}; // each in replay order; one object is in one part
    std::size_t total = pending_.size();
    for (std::vector<Pending> &part : absorbed_) {
        parts.push_back(&part);
        total += part.size();
    }
    // Judge every freeze first (with the sites' release statistics as the pass left them), then credit.
    for (std::vector<Pending> *part : parts)
        for (Pending &p : *part)
            mark_expected(p.units, p.blocked.expected, p.blocked.kind, p.life_start_ns, p.blocked.time_ns, sites,
                          presence_);
    std::vector<Blocked> out;
    out.reserve(total);
    std::vector<std::size_t> next(parts.size(), 0);
    while (out.size() < total) {
        std::size_t k = parts.size(); // the part whose next freeze came first in the replay
        for (std::size_t i = 0; i < parts.size(); ++i)
            if (next[i] < parts[i]->size() &&
                (k == parts.size() || (*parts[i])[next[i]].order < (*parts[k])[next[k]].order))
                k = i;
        Pending &p = (*parts[k])[next[k]++];
        p.blocked.holders = group_holders(p.units);
        std::vector<HeldUnit>().swap(p.units); // keep the peak near one copy of the report
        std::vector<std::pair<SiteKey, std::uint64_t>> blocking; // a site blocks a given freeze once
        for (const HeldRefs &h : p.blocked.holders) {
            if (h.expected)
                continue;
            auto it = std::find_if(blocking.begin(), blocking.end(), [&](const auto &s) { return s.first == h.site; });
            if (it == blocking.end())
                blocking.emplace_back(h.site, static_cast<std::uint64_t>(h.refs));
            else
                it->second += static_cast<std::uint64_t>(h.refs);
        }
        for (const auto &[site, refs] : blocking)
            sites.blocked(site, refs);
        out.push_back(std::move(p.blocked));
    }
    pending_.clear();
    absorbed_.clear();
    return out;
}

} // namespace refblame::analyzer::query
