// object_state.hpp: what the replay knows about one live object generation: its count and its open references.
#pragma once

#include "model/event.hpp"
#include "model/report.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace refblame::analyzer::replay {

// How an open reference came to exist.
enum class RefOrigin : std::uint8_t {
    get,     // a get (mod with positive delta, successful mod_unless, tracked get)
    base,    // set by obj_init, ref_set or ref_unfreeze: the object's own reference(s)
    unknown, // acquired before the trace started, or inferred when continuity broke
};

// One open reference (or several units acquired by one op, e.g. page_ref_add(p, 512)). Members in this
// order take 72 bytes, not 80.
struct OpenRef {
    std::uint64_t id = 0; // sequence number of the acquiring op in this pass (unique)
    SiteKey site;         // where it was acquired
    std::uint32_t site_id = 0; // `site` in the engine's SiteIndex
    std::uint32_t caller_id = 0; // (pid, caller) without the stack in that index: what attribution keys by
    std::uint64_t time_ns = 0;
    std::uint64_t holder = 0; // tracked holder; 0 when anonymous
    std::int32_t tid = unknown_id;
    std::int32_t units = 1;
    // Belief that this reference is still open: 1 minus the strongest belief any
    // pairing decision since it was acquired gave to its having been released
    // (1: no decision could have closed it). The strongest, not the product: a
    // long-lived ref is a candidate at thousands of puts, each with a small doubt.
    float p_open = 1.0f;
    RefOrigin origin = RefOrigin::get;
    bool adopted_guess = false; // became tracked by adopting an anonymous ref that was not the base ref
};

// Units one site acquired (any origin) or released (anonymous puts) in one generation.
struct SiteTally {
    std::uint32_t site = 0; // SiteIndex id of the caller (OpenRef::caller_id, Event::caller_site)
    std::int64_t gets = 0, puts = 0;
};

// One object generation as the replay sees it.
struct alignas(64) ObjectState { // on cache-line boundaries: its 184 bytes in three lines, not four
    ObjectKey key;
    std::string_view kind; // interned by the engine; "" when no obj_init was seen
    std::int32_t count = 0;
    std::int64_t units = 0; // sum of refs[].units, kept equal to max(count, 0) by the engine
    std::uint64_t events = 0; // events applied to this key (0: created for the event being applied)
    bool frozen = false;    // a successful freeze, no unfreeze yet
    bool freed = false;     // obj_free seen, no new obj_init yet
    bool uncertain = false; // continuity broke in this generation: holders may be wrong
    bool reported_after_free = false;
    std::uint64_t first_ns = 0; // first event of this generation
    std::uint64_t last_ns = 0;
    std::vector<OpenRef> refs;        // open references; units add up to count when count >= 0
    std::vector<OpenRef> frozen_refs; // references held through a successful freeze
    std::vector<Event> pending;       // events waiting to be put back in order (see reorder.hpp)
    std::vector<SiteTally> tally;     // per site, this generation so far (learners' capacity evidence; empty
                                      // unless EngineOptions::tallies)

    SiteTally &tally_of(std::uint32_t site)
    {
        for (SiteTally &t : tally)
            if (t.site == site)
                return t;
        tally.push_back(SiteTally{site, 0, 0});
        return tally.back();
    }

    std::int64_t open_units() const // recomputed (tests check it against `units`)
    {
        std::int64_t n = 0;
        for (const OpenRef &r : refs)
            n += r.units;
        return n;
    }
};

} // namespace refblame::analyzer::replay
