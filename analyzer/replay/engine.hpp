// engine.hpp: replays a time-ordered event stream object by object: generations, counts, open references, continuity.
#pragma once

#include "model/event.hpp"
#include "replay/loss_windows.hpp"
#include "replay/object_state.hpp"
#include "replay/object_table.hpp"
#include "replay/observer.hpp"
#include "replay/pairer.hpp"
#include "replay/shards.hpp"
#include "replay/site_index.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace refblame::analyzer::replay {

struct EngineOptions {
    std::optional<std::int32_t> pid; // replay only this process
    // Events of one object whose counts say they arrived out of order are held
    // back this long (trace time) or up to this many, to be put back in order.
    std::uint64_t reorder_window_ns = 5'000'000;
    std::size_t reorder_max_pending = 12;
    // Where site ids come from (Event::site, OpenRef::site_id); null: the engine keeps its own.
    SiteIndex *sites = nullptr;
    // Replay only the objects of shard `shard` of `shards` (shard_of): the others' events only move the
    // clock, so that held-back events expire as in one engine that replays them all. Objects are
    // independent, so `shards` engines fed the same stream together do what one engine does. With more
    // than one shard, `sites` is only read: every site the events need must be interned beforehand.
    unsigned shard = 0, shards = 1;
    // Keep ObjectState::tally, what a learning pass's capacity evidence reads; off, it stays empty (the
    // attribution's replays: 10 % of their time went to it).
    bool tallies = true;
    // > 0 (at most max_held_lanes): keep which of this many shards (shard_of) have events held back,
    // held_lanes(), for the lanes of a spill (EventSpill::add).
    unsigned held_lanes = 0;
};

inline constexpr unsigned max_held_lanes = 64;

// When, in a replay, something about an object happened: the stream position of the event being
// processed (finish() is one more step), whether held-back events were being applied (they follow
// the event's own, by object key), the object, and how many events its engine had applied (one
// object's events, in one engine, in the order applied). What shards of one stream report merges in
// this order into one engine's.
struct ReplayOrder {
    std::uint64_t position = 0;
    bool expiring = false;
    std::int32_t pid = 0;
    std::uint64_t obj = 0;
    std::uint64_t applied = 0;
    friend bool operator<(const ReplayOrder &a, const ReplayOrder &b)
    {
        if (a.position != b.position)
            return a.position < b.position;
        if (a.expiring != b.expiring)
            return b.expiring;
        if (a.pid != b.pid)
            return a.pid < b.pid;
        return a.obj != b.obj ? a.obj < b.obj : a.applied < b.applied;
    }
};

struct ReplayCounters {
    std::uint64_t events = 0;
    std::array<std::uint64_t, 10> by_op{};
    std::uint64_t first_ns = 0, last_ns = 0;
    std::uint64_t generations = 0;
    std::uint64_t uncertain_generations = 0;
    std::uint64_t addresses = 0;
    std::uint64_t breaks = 0;
    std::uint64_t breaks_after_loss = 0;
    std::uint64_t spanned_loss = 0; // generations made uncertain by events on both sides of a loss (counts intact)
    std::uint64_t reordered = 0;
    std::uint64_t unknown_origin_objects = 0; // first seen holding refs taken before the trace
    std::uint64_t unknown_holder_puts = 0;    // tracked puts/moves by a holder that held no ref
    std::uint64_t findings = 0;
    std::unordered_set<std::int32_t> pids;
    std::unordered_set<std::uint64_t> threads; // (pid << 32 | tid)
    std::vector<Loss> losses;

    // Adds the counts of an engine that replayed another shard of the same stream (losses are the same).
    void absorb(const ReplayCounters &other);
};

class ReplayEngine final : public EventSink {
public:
    ReplayEngine(Pairer &pairer, ReplayObserver &observer, EngineOptions options = {});

    void on_event(const Event &e) override;
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override;
    void on_clock(std::uint64_t time_ns) override; // another shard's event: the clock and position move
    void on_clocks(std::uint64_t n, std::uint64_t time_ns) override; // n of them while none is held back
    void prefetch(const Event &e, unsigned stage) const override; // the object's slot, state, refs

    // End of the stream: apply what is held back, end every live generation.
    void finish();

    const ReplayCounters &counters() const { return counters_; }
    // Events offered so far (those of other shards included; not those of other processes under `pid`):
    // during a callback, the stream position of the event being processed.
    std::uint64_t position() const { return position_; }
    // True while events held back are applied because they waited too long (or at finish()), for
    // every object in turn, by object key; false while the event at position() is being applied.
    bool expiring() const { return expiring_; }
    ReplayOrder order(std::int32_t pid, std::uint64_t obj) const { return {position_, expiring_, pid, obj, applied_}; }
    // Bit i: objects of shard i of options.held_lanes have events held back now (0 when that is 0). A
    // clear bit: none has, here nor in an engine with the same options fed the same stream or that shard of
    // it (EventSpill::add's `held`). Seldom more than one: two threads' refs to 256 shared objects (1 M
    // events, 489 put back in order), 20 % of the events came with events held back, all but 12 of them
    // in one shard of 16 (with one bit for all shards, 70 %: it stays set until the next expiry).
    std::uint64_t held_lanes() const { return held_lanes_; }

private:
    struct Key {
        std::int32_t pid;
        std::uint64_t obj;
        friend bool operator==(const Key &, const Key &) = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key &k) const noexcept
        {
            return std::hash<std::uint64_t>{}(k.obj * 0x9e3779b97f4a7c15ull ^ static_cast<std::uint32_t>(k.pid));
        }
    };

    ObjectState &object_for(const Event &e);
    void drain(ObjectState &o, bool force);
    void expire_pending();
    void sort_pending_keys();
    void maybe_retire(const Key &k);
    void note_held(const Key &k, bool before, bool after); // whether the object had events held back

    void apply(ObjectState &o, const Event &e, bool continuity_break);
    void apply_break(ObjectState &o, const Event &e);
    void start_generation(ObjectState &o, const Event &e);
    void end_generation(ObjectState &o, std::uint64_t time_ns, EndReason why);
    void acquire(ObjectState &o, const Event &e, std::int64_t units, RefOrigin origin);
    void release(ObjectState &o, const Event &e, std::int64_t units, ReleaseKind kind);
    void adjust_units(ObjectState &o, const Event &e, std::int64_t target, ReleaseKind kind, RefOrigin origin);
    void move(ObjectState &o, const Event &e);
    void unfreeze(ObjectState &o, const Event &e);
    void finding(const ObjectState &o, const Event &e, FindingKind what);
    void close_ref(ObjectState &o, std::size_t index, int units);
    bool loss_before(std::int32_t pid, std::uint64_t time_ns) const;

    Pairer &pairer_;
    ReplayObserver &observer_;
    EngineOptions options_;
    SiteIndex own_sites_;
    SiteIndex &sites_; // options_.sites or own_sites_
    ReplayCounters counters_;
    ObjectTable live_;
    Key last_key_{unknown_id, 0};
    ObjectState *last_obj_ = nullptr; // last_key_'s state in live_, or null
    struct Tomb {
        std::uint32_t generation = 0;
        bool reported = false; // a use-after-free was already reported for this generation
    };
    std::unordered_map<Key, Tomb, KeyHash> freed_; // freed objects holding nothing (kept small)
    std::vector<Key> pending_keys_;                       // objects with events held back
    std::vector<std::uint32_t> held_in_lane_;             // objects with events held back, per held lane
    std::uint64_t held_lanes_ = 0;                        // lanes with any
    struct KindHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_set<std::string, KindHash, std::equal_to<>> kinds_; // interned kind names
    std::uint64_t last_thread_ = 0; // (pid << 32 | tid) of the previous event
    std::unordered_map<std::int32_t, std::uint64_t> first_loss_; // per pid: earliest loss (unknown_id: any pid)
    LossWindows loss_windows_; // an object operated on across one of these may have lost events there
    std::uint64_t now_ = 0;
    std::uint64_t position_ = 0;
    bool expiring_ = false;
    std::uint64_t applied_ = 0; // events applied
    std::uint64_t earliest_pending_ = 0; // no held-back event is older (while pending_keys_ is not empty)
    std::uint64_t next_ref_id_ = 0;
    std::vector<std::size_t> candidates_; // scratch
    std::vector<double> weights_;         // scratch
};

} // namespace refblame::analyzer::replay
