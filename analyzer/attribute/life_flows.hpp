// life_flows.hpp: pass 1: counts each object's anonymous gets and puts per site over its whole life, for the site matching.
#pragma once

#include "attribute/site_matching.hpp"
#include "model/event.hpp"
#include "replay/object_table.hpp"

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace refblame::analyzer::attribute {

// Decision-free: only what the events say (units per site per object life),
// never which get a put undid. A life is complete at obj_free or when obj_init
// starts the next one, truncated at the end of the trace. A life whose counts
// jump (set, a continuity break, refs from before the trace) says nothing and
// is left out. Memory: one entry per live object, and one per (acquire,
// release) site pair that met on some object.
class LifeFlows {
public:
    // `by_stack`: sites are Event::site (caller and stack) rather than Event::caller_site.
    explicit LifeFlows(std::optional<std::int32_t> pid = std::nullopt, bool by_stack = false)
        : pid_(pid), by_stack_(by_stack)
    {
    }

    void on_event(const Event &e); // e.site and e.caller_site must be set (SiteIndex::assign)
    void prefetch(const Event &e, unsigned stage) const; // the object's slot, life, flows (EventSink::prefetch)
    // The matching the lives completed so far support (the lives still open not counted).
    SiteMatching provisional() const { return match_sites(sites_, pairs()); }
    std::uint64_t lives_ended() const { return lives_ended_; }
    // Ends the lives still open (truncated) and matches the sites.
    SiteMatching finish();

    // The balances (tests and diagnostics); valid after finish().
    const std::vector<SiteBalance> &sites() const { return sites_; }
    std::vector<PairBalance> pairs() const;

private:
    static constexpr std::size_t short_bits = 64; // acquire flows a release flow's `short_of` covers
    struct Flow {
        std::uint32_t site = 0;
        // Release sites: how many flows existed at the first put (later ones had no gets then).
        std::uint32_t flows_at_first_put = UINT32_MAX;
        std::int64_t gets = 0, puts = 0; // anonymous units (64 bits: hostile counts must not overflow)
        // Release sites: bit i set when acquire flow i (i < short_bits) was short at some put of this one.
        std::uint64_t short_of = 0;
    };
    struct alignas(64) Life { // one cache line
        std::vector<Flow> flows;
        // (acquire << 32 | release) pairs short at some put, of acquire flows past the first short_bits
        std::vector<std::uint64_t> overdrawn;
        std::int32_t count = 0;
        std::int32_t before_freeze = 0;
        bool tainted = false;
        bool base = false; // obj_init gave it references of its own (which any put reaching zero may drop)
    };
    struct Key {
        std::int32_t pid;
        std::uint64_t obj;
        friend bool operator==(const Key &, const Key &) = default;
    };
    struct Tally {
        std::uint32_t balanced = 0, covered = 0;
    };

    static Flow &flow(Life &l, std::uint32_t site);
    void put(Life &l, std::uint32_t release, std::int64_t units);
    void end(const Life &l, bool complete);
    SiteBalance &site(std::uint32_t id);

    std::optional<std::int32_t> pid_;
    bool by_stack_;
    replay::KeyedTable<Life> live_;
    Key last_key_{0, 0};
    Life *last_ = nullptr; // last_key_'s life in live_, or null
    std::vector<SiteBalance> sites_;
    std::unordered_map<std::uint64_t, Tally> pairs_;
    std::unordered_set<std::uint64_t> overdrawn_;
    std::uint64_t lives_ended_ = 0;
};

} // namespace refblame::analyzer::attribute
