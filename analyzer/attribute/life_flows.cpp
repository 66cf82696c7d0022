// life_flows.cpp: per-object site tallies (arrival order), ended lives folded into per-pair balances.
#include "attribute/life_flows.hpp"

#include "replay/continuity.hpp"

#include <algorithm>
#include <bit>

namespace refblame::analyzer::attribute {

namespace {

std::uint64_t pair_key(std::uint32_t acquire, std::uint32_t release)
{
    return static_cast<std::uint64_t>(acquire) << 32 | release;
}

} // namespace

LifeFlows::Flow &LifeFlows::flow(Life &l, std::uint32_t site)
{
    for (Flow &f : l.flows)
        if (f.site == site)
            return f;
    l.flows.push_back(Flow{.site = site});
    return l.flows.back();
}

SiteBalance &LifeFlows::site(std::uint32_t id)
{
    if (sites_.size() <= id)
        sites_.resize(static_cast<std::size_t>(id) + 1);
    return sites_[id];
}

void LifeFlows::put(Life &l, std::uint32_t release, std::int64_t units)
{
    const auto existing = static_cast<std::uint32_t>(l.flows.size());
    Flow &r = flow(l, release);
    if (r.flows_at_first_put == UINT32_MAX)
        r.flows_at_first_put = existing; // sites that show up later had no gets at this put
    // Every acquire site that had no more gets than the puts release made so far
    // could not have been the only site it undoes. Marked in the release flow's bits: a list of pairs
    // searched at every put missed the cache on most (80 % of this function's time at 10 M events).
    for (std::size_t ia = 0; ia < l.flows.size(); ++ia) {
        const Flow &a = l.flows[ia];
        if (a.gets <= 0 || a.site == release || a.gets >= r.puts + units)
            continue;
        if (ia < short_bits) {
            r.short_of |= std::uint64_t{1} << ia;
            continue;
        }
        std::uint64_t k = pair_key(a.site, release);
        if (std::find(l.overdrawn.begin(), l.overdrawn.end(), k) == l.overdrawn.end())
            l.overdrawn.push_back(k);
    }
    r.puts += units;
}

void LifeFlows::prefetch(const Event &e, unsigned stage) const
{
    if (pid_ && e.pid != *pid_)
        return;
    live_.prefetch(e.pid, e.obj, stage, [](const Life &l) {
        replay::prefetch_bytes(l.flows.data(), std::min<std::size_t>(l.flows.size(), 4) * sizeof(Flow));
    });
}

void LifeFlows::on_event(const Event &e)
{
    if (pid_ && e.pid != *pid_)
        return;
    const std::uint32_t id = by_stack_ ? e.site : e.caller_site;
    Key key{e.pid, e.obj};
    if (e.op == Op::obj_init) {
        Life *found = live_.find(key.pid, key.obj);
        if (found) {
            end(*found, true); // re-initialized: the previous life is over
            *found = Life{};
        }
        Life &l = found ? *found : live_.insert(key.pid, key.obj, Life{});
        l.count = e.count;
        if (e.count > 0) {
            l.base = true;
            flow(l, id).gets += e.count;
            site(id).base = true;
        }
        return;
    }
    if (!(last_ && last_key_ == key)) { // runs of ops on one object are common
        Life *found = live_.find(key.pid, key.obj);
        if (!found) { // first seen mid-life (or used after free): refs from before are unknown
            found = &live_.insert(key.pid, key.obj, Life{});
            std::optional<std::int32_t> before = replay::implied_before(e);
            found->count = before.value_or(0);
            found->tainted = !before || *before != 0;
        }
        last_key_ = key;
        last_ = found; // values do not move in the table: valid until erased
    }
    Life &l = *last_;
    if (!replay::follows(l.count, e))
        l.tainted = true; // lost or reordered events: the tallies would lie
    switch (e.op) {
    case Op::mod:
    case Op::mod_and_test:
    case Op::mod_and_return:
    case Op::mod_unless: {
        std::int32_t d = replay::relative_delta(e).value_or(0);
        if (d > 0 && e.holder == 0)
            flow(l, id).gets += d;
        if (d < 0 && e.holder == 0) {
            put(l, id, -static_cast<std::int64_t>(d));
            if (e.count == 0 && l.base) // with no base ref, reaching zero drops only what gets took
                site(id).reached_zero = true;
        }
        break;
    }
    case Op::freeze:
        if (e.ret)
            l.before_freeze = e.val;
        break;
    case Op::unfreeze:
        l.tainted |= e.count != l.before_freeze; // refs appear or vanish without a site
        break;
    case Op::set: l.tainted = true; break;
    case Op::obj_free:
        l.count = e.count;
        end(l, true);
        live_.erase(key.pid, key.obj);
        last_ = nullptr;
        return;
    case Op::obj_init:
    case Op::move: break;
    }
    l.count = e.count;
}

void LifeFlows::end(const Life &l, bool complete)
{
    ++lives_ended_;
    if (l.tainted)
        return;
    for (const Flow &r : l.flows) {
        if (r.puts <= 0)
            continue;
        SiteBalance &rs = site(r.site);
        (complete ? rs.released_complete : rs.released_truncated) += 1;
        for (std::size_t ia = 0; ia < l.flows.size(); ++ia) {
            const Flow &a = l.flows[ia];
            if (a.gets <= 0 || a.site == r.site)
                continue;
            if (ia >= r.flows_at_first_put) // no gets at all yet when the first of these puts came
                overdrawn_.insert(pair_key(a.site, r.site));
            if (complete ? a.gets == r.puts : a.gets >= r.puts) {
                Tally &t = pairs_[pair_key(a.site, r.site)];
                (complete ? t.balanced : t.covered) += 1;
            }
        }
    }
    if (complete)
        for (const Flow &a : l.flows)
            if (a.gets > 0)
                site(a.site).acquired_complete += 1;
    for (const Flow &r : l.flows)
        for (std::uint64_t bits = r.short_of; bits != 0; bits &= bits - 1)
            overdrawn_.insert(pair_key(l.flows[static_cast<std::size_t>(std::countr_zero(bits))].site, r.site));
    overdrawn_.insert(l.overdrawn.begin(), l.overdrawn.end());
}

std::vector<PairBalance> LifeFlows::pairs() const
{
    std::vector<PairBalance> out;
    out.reserve(pairs_.size());
    for (const auto &[k, t] : pairs_) {
        PairBalance p;
        p.acquire = static_cast<std::uint32_t>(k >> 32);
        p.release = static_cast<std::uint32_t>(k);
        p.balanced = t.balanced;
        p.covered = t.covered;
        p.overdrawn = overdrawn_.count(k) > 0;
        out.push_back(p);
    }
    std::sort(out.begin(), out.end(), [](const PairBalance &a, const PairBalance &b) {
        return a.acquire != b.acquire ? a.acquire < b.acquire : a.release < b.release;
    });
    return out;
}

SiteMatching LifeFlows::finish()
{
    live_.for_each([&](const Life &l) { end(l, false); }); // sums and sets: the order does not matter
    live_.clear();
    last_ = nullptr;
    return match_sites(sites_, pairs());
}

} // namespace refblame::analyzer::attribute
