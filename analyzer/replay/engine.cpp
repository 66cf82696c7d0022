// engine.cpp: the replay: per-object reordering, continuity checks, op semantics, findings, generations.
#include "replay/engine.hpp"

#include "replay/continuity.hpp"
#include "replay/reorder.hpp"

#include <algorithm>
#include <limits>

namespace refblame::analyzer::replay {

namespace {

constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

bool is_thread_head(const std::vector<Event> &pending, std::size_t i)
{
    for (std::size_t j = 0; j < i; ++j)
        if (pending[j].tid == pending[i].tid)
            return false;
    return true;
}

// Newest open reference held by `holder` (tracked puts and moves undo the latest get of a holder).
std::size_t newest_of_holder(const ObjectState &o, std::uint64_t holder)
{
    std::size_t best = none;
    for (std::size_t i = 0; i < o.refs.size(); ++i)
        if (o.refs[i].holder == holder && (best == none || o.refs[i].id > o.refs[best].id))
            best = i;
    return best;
}

} // namespace

void ReplayCounters::absorb(const ReplayCounters &o)
{
    if (o.events > 0) {
        first_ns = events > 0 ? std::min(first_ns, o.first_ns) : o.first_ns;
        last_ns = std::max(last_ns, o.last_ns);
    }
    events += o.events;
    for (std::size_t i = 0; i < by_op.size(); ++i)
        by_op[i] += o.by_op[i];
    generations += o.generations;
    uncertain_generations += o.uncertain_generations;
    addresses += o.addresses;
    breaks += o.breaks;
    breaks_after_loss += o.breaks_after_loss;
    spanned_loss += o.spanned_loss;
    reordered += o.reordered;
    unknown_origin_objects += o.unknown_origin_objects;
    unknown_holder_puts += o.unknown_holder_puts;
    findings += o.findings;
    pids.insert(o.pids.begin(), o.pids.end());
    threads.insert(o.threads.begin(), o.threads.end());
}

ReplayEngine::ReplayEngine(Pairer &pairer, ReplayObserver &observer, EngineOptions options)
    : pairer_(pairer), observer_(observer), options_(options), sites_(options.sites ? *options.sites : own_sites_),
      held_in_lane_(std::min(options.held_lanes, max_held_lanes))
{
}

void ReplayEngine::on_loss(const Loss &l)
{
    counters_.losses.push_back(l);
    loss_windows_.add(l);
    auto [it, fresh] = first_loss_.try_emplace(l.pid, l.begin_ns);
    if (!fresh)
        it->second = std::min(it->second, l.begin_ns);
}

bool ReplayEngine::loss_before(std::int32_t pid, std::uint64_t time_ns) const
{
    for (std::int32_t p : {pid, unknown_id}) {
        auto it = first_loss_.find(p);
        if (it != first_loss_.end() && it->second <= time_ns)
            return true;
    }
    return false;
}

void ReplayEngine::on_clock(std::uint64_t time_ns)
{
    on_clocks(1, time_ns);
}

// With none held back for real, expire_pending() could only drop the keys of objects drained since: at
// which of the n positions it does so changes nothing.
void ReplayEngine::on_clocks(std::uint64_t n, std::uint64_t time_ns)
{
    position_ += n;
    now_ = std::max(now_, time_ns);
    if (!pending_keys_.empty() && now_ - earliest_pending_ > options_.reorder_window_ns)
        expire_pending();
}

void ReplayEngine::prefetch(const Event &e, unsigned stage) const
{
    if (options_.pid && e.pid != *options_.pid)
        return;
    live_.prefetch(e.pid, e.obj, stage, [](const ObjectState &o) {
        // The refs a put scans, and the slot a get fills when the vector has room for it.
        const std::size_t refs = std::min({o.refs.size() + 1, o.refs.capacity(), std::size_t{4}});
        prefetch_bytes(o.refs.data(), refs * sizeof(OpenRef));
        prefetch_bytes(o.tally.data(), std::min<std::size_t>(o.tally.size(), 4) * sizeof(SiteTally));
    });
}

void ReplayEngine::on_event(const Event &raw)
{
    if (options_.pid && raw.pid != *options_.pid)
        return;
    if (options_.shards > 1 && shard_of(raw.pid, raw.obj, options_.shards) != options_.shard) {
        on_clock(raw.time_ns); // another shard's object: only the clock moves
        return;
    }
    ++position_;
    ReplayCounters &c = counters_;
    if (c.events == 0)
        c.first_ns = raw.time_ns;
    ++c.events;
    ++c.by_op[static_cast<std::size_t>(raw.op) % c.by_op.size()];
    c.first_ns = std::min(c.first_ns, raw.time_ns);
    c.last_ns = std::max(c.last_ns, raw.time_ns);
    const std::uint64_t thread = static_cast<std::uint64_t>(static_cast<std::uint32_t>(raw.pid)) << 32 |
                                 static_cast<std::uint32_t>(raw.tid);
    if (thread != last_thread_ || c.events == 1) { // runs of one thread's events are common: skip the sets
        c.pids.insert(raw.pid);
        c.threads.insert(thread);
        last_thread_ = thread;
    }
    now_ = std::max(now_, raw.time_ns);

    Event e = raw;
    sites_.assign(e);
    e.kind = {};
    if (e.op == Op::obj_init) {
        auto k = kinds_.find(raw.kind);
        e.kind = k != kinds_.end() ? *k : *kinds_.emplace(raw.kind).first;
    }

    Key key{e.pid, e.obj};
    ObjectState &o = object_for(e);
    const bool held = !o.pending.empty();
    if (!o.uncertain && !o.freed && o.events > 0 && !loss_windows_.empty() &&
        loss_windows_.between(e.pid, o.last_ns, e.time_ns)) { // events of it may be among those lost
        o.uncertain = true;
        ++c.uncertain_generations;
        ++c.spanned_loss;
    }
    if (!o.pending.empty()) {
        o.pending.push_back(e);
        drain(o, false);
    } else if (follows(o.count, e)) {
        apply(o, e, false);
    } else {
        o.pending.push_back(e);
        if (pending_keys_.empty() || e.time_ns < earliest_pending_)
            earliest_pending_ = e.time_ns;
        pending_keys_.push_back(key);
        drain(o, false);
    }
    // The oldest event held back must be known exactly, not only bounded: when it expires may not
    // depend on other objects' (a shard of the objects sees only its own). drain() may have applied
    // the front and left an earlier-stamped event first.
    if (!o.pending.empty())
        earliest_pending_ = std::min(earliest_pending_, o.pending.front().time_ns);
    note_held(key, held, !o.pending.empty());
    if (o.freed)
        maybe_retire(key);
    if (!pending_keys_.empty() && now_ - earliest_pending_ > options_.reorder_window_ns)
        expire_pending();
}

ObjectState &ReplayEngine::object_for(const Event &e)
{
    Key key{e.pid, e.obj};
    if (last_obj_ && last_key_ == key) // runs of ops on one object are common (a get, then its put)
        return *last_obj_;
    if (ObjectState *found = live_.find(key.pid, key.obj)) {
        last_key_ = key;
        return *(last_obj_ = found); // states do not move in the table: valid until erased
    }
    last_obj_ = nullptr;
    ObjectState o;
    o.key = ObjectKey{e.pid, e.obj, 0};
    o.first_ns = e.time_ns;
    auto tomb = freed_.find(key);
    if (tomb != freed_.end()) { // a freed object: ops other than obj_init are use-after-free
        o.key.generation = tomb->second.generation;
        o.reported_after_free = tomb->second.reported;
        o.freed = true;
        o.events = 1;
        freed_.erase(tomb);
        return live_.insert(key.pid, key.obj, std::move(o));
    }
    ++counters_.addresses;
    ObjectState &fresh = live_.insert(key.pid, key.obj, std::move(o));
    if (e.op != Op::obj_init) { // first seen mid-life: refs taken before the trace started
        ++counters_.generations;
        std::optional<std::int32_t> before = implied_before(e);
        if (before && *before > 0) {
            ++counters_.unknown_origin_objects;
            acquire(fresh, e, *before, RefOrigin::unknown);
        }
        fresh.count = before.value_or(0);
    }
    return fresh;
}

void ReplayEngine::maybe_retire(const Key &key)
{
    const ObjectState *o = live_.find(key.pid, key.obj);
    if (!o)
        return;
    if (o->freed && o->refs.empty() && o->frozen_refs.empty() && o->pending.empty() && o->count == 0) {
        freed_[key] = Tomb{o->key.generation, o->reported_after_free};
        if (last_obj_ == o)
            last_obj_ = nullptr;
        live_.erase(key.pid, key.obj);
    }
}

void ReplayEngine::note_held(const Key &k, bool before, bool after)
{
    if (before == after || held_in_lane_.empty())
        return;
    const unsigned lane = shard_of(k.pid, k.obj, static_cast<unsigned>(held_in_lane_.size()));
    const std::uint64_t bit = std::uint64_t{1} << lane;
    if (after) {
        if (held_in_lane_[lane]++ == 0)
            held_lanes_ |= bit;
    } else if (--held_in_lane_[lane] == 0) {
        held_lanes_ &= ~bit;
    }
}

void ReplayEngine::drain(ObjectState &o, bool expired)
{
    while (!o.pending.empty()) {
        std::vector<std::size_t> order = consistent_order(o.count, o.pending);
        if (!order.empty()) {
            std::vector<Event> events = std::move(o.pending);
            o.pending.clear();
            std::size_t latest = 0; // events applied after one that arrived later were put back in order
            for (std::size_t i = 0; i < order.size(); ++i) {
                counters_.reordered += i > 0 && order[i] < latest;
                latest = std::max(latest, order[i]);
            }
            for (std::size_t i : order)
                apply(o, events[i], false);
            return;
        }
        if (!expired && o.pending.size() <= options_.reorder_max_pending)
            return;
        // Give up waiting: apply what follows, else accept a break at the earliest event.
        std::size_t pick = none;
        for (std::size_t i = 0; i < o.pending.size() && pick == none; ++i)
            if (is_thread_head(o.pending, i) && follows(o.count, o.pending[i]))
                pick = i;
        Event e = o.pending[pick == none ? 0 : pick];
        o.pending.erase(o.pending.begin() + static_cast<std::ptrdiff_t>(pick == none ? 0 : pick));
        if (pick != none) {
            counters_.reordered += pick != 0;
            apply(o, e, false);
        } else {
            apply_break(o, e);
        }
    }
}

void ReplayEngine::sort_pending_keys()
{
    std::sort(pending_keys_.begin(), pending_keys_.end(),
              [](const Key &a, const Key &b) { return a.pid != b.pid ? a.pid < b.pid : a.obj < b.obj; });
    pending_keys_.erase(std::unique(pending_keys_.begin(), pending_keys_.end()), pending_keys_.end());
}

void ReplayEngine::expire_pending()
{
    // By object key: the order does not depend on which other objects had events held back, so
    // that shards of the objects drain theirs in the order one engine would.
    expiring_ = true;
    sort_pending_keys();
    earliest_pending_ = now_;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < pending_keys_.size(); ++i) {
        const Key key = pending_keys_[i];
        ObjectState *o = live_.find(key.pid, key.obj);
        if (o && !o->pending.empty() && now_ - o->pending.front().time_ns > options_.reorder_window_ns) {
            drain(*o, true);
            note_held(key, true, !o->pending.empty());
            maybe_retire(key);
            o = live_.find(key.pid, key.obj);
        }
        if (!o || o->pending.empty())
            continue;
        earliest_pending_ = std::min(earliest_pending_, o->pending.front().time_ns);
        pending_keys_[kept++] = key;
    }
    pending_keys_.resize(kept);
    expiring_ = false;
}

void ReplayEngine::finish()
{
    ++position_; // a step of its own, after the last event's
    expiring_ = true;
    sort_pending_keys();
    for (const Key &key : pending_keys_)
        if (ObjectState *o = live_.find(key.pid, key.obj))
            drain(*o, true);
    pending_keys_.clear();
    std::fill(held_in_lane_.begin(), held_in_lane_.end(), 0u);
    held_lanes_ = 0;
    live_.for_each([&](ObjectState &o) {
        if (!o.freed)
            end_generation(o, now_, EndReason::end_of_trace);
    });
}

void ReplayEngine::apply_break(ObjectState &o, const Event &e)
{
    ++counters_.breaks;
    bool after_loss = loss_before(e.pid, e.time_ns);
    counters_.breaks_after_loss += after_loss;
    if (!o.uncertain) {
        o.uncertain = true;
        ++counters_.uncertain_generations;
    }
    observer_.on_break(o, e, after_loss);
    if (std::optional<std::int32_t> before = implied_before(e)) {
        if (o.frozen && *before > 0) { // the unfreeze was lost: the frozen references are back
            for (OpenRef &r : o.frozen_refs) {
                o.units += r.units;
                o.refs.push_back(r);
            }
            o.frozen_refs.clear();
            o.frozen = false;
        }
        adjust_units(o, e, std::max<std::int64_t>(*before, 0), ReleaseKind::resync, RefOrigin::unknown);
        o.count = *before;
    }
    apply(o, e, true);
}

void ReplayEngine::apply(ObjectState &o, const Event &e, bool continuity_break)
{
    ++applied_;
    observer_.before_event(o, e);
    if (o.freed && e.op != Op::obj_init) {
        if (e.op == Op::obj_free) {
            finding(o, e, FindingKind::double_free);
        } else if (!o.reported_after_free) {
            finding(o, e, FindingKind::use_after_free);
            o.reported_after_free = true;
        }
    }
    switch (e.op) {
    case Op::mod:
    case Op::mod_and_test:
    case Op::mod_and_return:
    case Op::mod_unless: {
        std::int64_t d = relative_delta(e).value_or(0);
        if (d > 0) {
            if (o.frozen && o.count == 0)
                finding(o, e, FindingKind::get_on_frozen);
            acquire(o, e, d, RefOrigin::get);
        } else if (d < 0) {
            release(o, e, -d, e.holder ? ReleaseKind::tracked_put : ReleaseKind::put);
            if (e.holder == 0 && options_.tallies)
                o.tally_of(e.caller_site).puts += -d;
            if (e.count < 0)
                finding(o, e, FindingKind::underflow);
        }
        o.count = e.count;
        break;
    }
    case Op::set:
    case Op::unfreeze:
        unfreeze(o, e);
        o.count = e.count;
        break;
    case Op::freeze:
        if (e.ret) {
            observer_.on_successful_freeze(o, e);
            for (OpenRef &r : o.refs)
                o.frozen_refs.push_back(r);
            o.refs.clear();
            o.units = 0;
            o.frozen = true;
        } else {
            observer_.on_failed_freeze(o, e);
        }
        o.count = e.count;
        break;
    case Op::obj_init:
        if (o.events > 0 && !o.freed) {
            if (o.count > 0 || o.units > 0)
                finding(o, e, FindingKind::reinit_with_refs);
            end_generation(o, e.time_ns, EndReason::reinit);
        }
        start_generation(o, e);
        break;
    case Op::obj_free:
        if (!o.freed) {
            if (o.count > 0 || o.units > 0)
                finding(o, e, FindingKind::freed_with_refs);
            for (const OpenRef &r : o.frozen_refs) // the freezer took them: the object migrated
                observer_.on_release(o, e, Release{ReleaseKind::frozen, &r, r.units, Confidence::inferred, 1.0, true});
            o.frozen_refs.clear();
            o.frozen = false;
            end_generation(o, e.time_ns, EndReason::freed);
            o.freed = true;
        }
        o.count = e.count;
        break;
    case Op::move:
        move(o, e);
        break;
    }
    o.last_ns = e.time_ns;
    ++o.events;
    std::int64_t target = std::max<std::int64_t>(o.count, 0);
    if (o.units != target) // only hostile input gets here (e.g. a count that jumps under set semantics)
        adjust_units(o, e, target, ReleaseKind::resync, RefOrigin::unknown);
    observer_.on_applied(o, e, continuity_break);
}

void ReplayEngine::start_generation(ObjectState &o, const Event &e)
{
    if (o.events > 0)
        ++o.key.generation;
    ++counters_.generations;
    o.kind = e.kind;
    o.count = 0;
    o.units = 0;
    o.frozen = o.freed = o.uncertain = o.reported_after_free = false;
    o.refs.clear();
    o.frozen_refs.clear();
    o.tally.clear();
    o.first_ns = e.time_ns;
    if (e.count > 0)
        acquire(o, e, e.count, RefOrigin::base);
    o.count = e.count;
}

void ReplayEngine::end_generation(ObjectState &o, std::uint64_t time_ns, EndReason why)
{
    observer_.on_generation_end(o, time_ns, why);
}

void ReplayEngine::acquire(ObjectState &o, const Event &e, std::int64_t units, RefOrigin origin)
{
    if (units <= 0)
        return;
    OpenRef r;
    r.id = ++next_ref_id_;
    if (origin == RefOrigin::unknown) {
        r.site = SiteKey{e.pid, 0, 0};
        r.site_id = options_.shards > 1 ? sites_.find(r.site) : sites_.intern(r.site);
    } else {
        r.site = SiteKey{e.pid, e.caller, e.stack_id};
        r.site_id = e.site ? e.site : sites_.of(e);
    }
    r.caller_id = sites_.caller_of(r.site_id);
    r.time_ns = e.time_ns;
    r.tid = e.tid;
    r.holder = origin == RefOrigin::get ? e.holder : 0;
    r.units = static_cast<std::int32_t>(std::min<std::int64_t>(units, std::numeric_limits<std::int32_t>::max()));
    r.origin = origin;
    o.refs.push_back(r);
    o.units += r.units;
    if (options_.tallies)
        o.tally_of(r.caller_id).gets += r.units;
    observer_.on_acquire(o, e, o.refs.back());
}

void ReplayEngine::close_ref(ObjectState &o, std::size_t index, int units)
{
    OpenRef &r = o.refs[index];
    r.units -= units;
    o.units -= units;
    if (r.units <= 0) {
        o.refs[index] = o.refs.back();
        o.refs.pop_back();
    }
}

void ReplayEngine::release(ObjectState &o, const Event &e, std::int64_t units, ReleaseKind kind)
{
    while (units > 0 && !o.refs.empty()) {
        if (kind == ReleaseKind::tracked_put) {
            std::size_t i = newest_of_holder(o, e.holder);
            if (i != none) {
                int take = static_cast<int>(std::min<std::int64_t>(o.refs[i].units, units));
                observer_.on_release(o, e, Release{kind, &o.refs[i], take, Confidence::exact, 1.0, true});
                close_ref(o, i, take);
                units -= take;
                continue;
            }
            ++counters_.unknown_holder_puts; // a holder that held nothing: pair it like an anonymous put
        }
        candidates_.clear();
        for (std::size_t i = 0; i < o.refs.size(); ++i)
            if (o.refs[i].holder == 0)
                candidates_.push_back(i);
        bool anonymous = !candidates_.empty();
        if (!anonymous)
            for (std::size_t i = 0; i < o.refs.size(); ++i)
                candidates_.push_back(i);
        ReleaseKind asked = kind == ReleaseKind::tracked_put ? ReleaseKind::put : kind;
        PairChoice c = pairer_.choose(o, e, asked, candidates_, weights_);
        if (c.index >= candidates_.size())
            c.index = 0;
        if (!anonymous || kind == ReleaseKind::tracked_put || kind == ReleaseKind::overwritten ||
            kind == ReleaseKind::resync)
            c.confidence = c.forced && anonymous ? Confidence::inferred : Confidence::guess;
        std::size_t chosen = candidates_[c.index];
        double total = 0;
        for (std::size_t k = 0; k < candidates_.size() && k < weights_.size() && !c.matched; ++k)
            total += weights_[k];
        if (total > 0) // the others may have been the one released (judged by site; not when matched)
            for (std::size_t k = 0; k < candidates_.size() && k < weights_.size(); ++k) {
                OpenRef &r = o.refs[candidates_[k]];
                if (k != c.index && r.caller_id != o.refs[chosen].caller_id)
                    r.p_open = std::min(r.p_open, static_cast<float>(std::clamp(1.0 - weights_[k] / total, 0.0, 1.0)));
            }
        int take = static_cast<int>(std::min<std::int64_t>(o.refs[chosen].units, units));
        observer_.on_release(o, e, Release{asked, &o.refs[chosen], take, c.confidence, c.site_posterior, c.forced});
        close_ref(o, chosen, take);
        units -= take;
    }
}

void ReplayEngine::adjust_units(ObjectState &o, const Event &e, std::int64_t target, ReleaseKind kind,
                                RefOrigin origin)
{
    if (target > o.units)
        acquire(o, e, target - o.units, origin);
    else if (target < o.units)
        release(o, e, o.units - target, kind);
}

void ReplayEngine::unfreeze(ObjectState &o, const Event &e)
{
    if (o.frozen) {
        for (OpenRef &r : o.frozen_refs) {
            o.units += r.units;
            o.refs.push_back(r);
        }
        o.frozen_refs.clear();
        o.frozen = false;
    }
    adjust_units(o, e, std::max<std::int64_t>(e.count, 0), ReleaseKind::overwritten, RefOrigin::base);
}

void ReplayEngine::move(ObjectState &o, const Event &e)
{
    std::size_t i = none;
    if (e.from != 0) {
        i = newest_of_holder(o, e.from);
        if (i == none)
            ++counters_.unknown_holder_puts;
    }
    bool guessed = false;
    if (i == none) { // adopt: the base reference first, else the newest anonymous one
        std::size_t anonymous = 0;
        for (std::size_t k = 0; k < o.refs.size(); ++k) {
            const OpenRef &r = o.refs[k];
            if (r.holder != 0)
                continue;
            ++anonymous;
            if (i == none)
                i = k;
            const OpenRef &b = o.refs[i];
            bool r_base = r.origin == RefOrigin::base, b_base = b.origin == RefOrigin::base;
            if (r_base != b_base ? r_base : r.id > b.id)
                i = k;
        }
        if (i == none)
            return;
        guessed = o.refs[i].origin != RefOrigin::base && (anonymous > 1 || o.refs[i].origin == RefOrigin::unknown);
    }
    if (o.refs[i].units > 1) { // one unit changes holder
        OpenRef one = o.refs[i];
        one.units = 1;
        o.refs[i].units -= 1;
        o.refs.push_back(one);
        i = o.refs.size() - 1;
    }
    o.refs[i].holder = e.holder;
    o.refs[i].adopted_guess = o.refs[i].adopted_guess || guessed;
}

void ReplayEngine::finding(const ObjectState &o, const Event &e, FindingKind what)
{
    ++counters_.findings;
    Finding f;
    f.what = what;
    f.object = o.key;
    f.kind = std::string(o.kind);
    f.time_ns = e.time_ns;
    f.tid = e.tid;
    f.site = SiteKey{e.pid, e.caller, e.stack_id};
    f.op = e.op;
    f.count = e.count;
    f.holder = e.holder;
    observer_.on_finding(f);
}

} // namespace refblame::analyzer::replay
