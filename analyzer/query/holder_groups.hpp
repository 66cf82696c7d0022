// holder_groups.hpp: turns an object's open references into the HeldRefs groups every report shows, labelled.
#pragma once

#include "model/report.hpp"
#include "replay/object_state.hpp"

#include <vector>

namespace refblame::analyzer::query {

// Below this belief that an anonymous reference is still open, it is labelled a guess.
inline constexpr float inferred_open_belief = 0.8f;

// The rule that supports saying `ref` is held (DESIGN.md "Attribution"): exact
// for a tracked holder (inferred once the object lost continuity, or when the
// holder adopted a ref that was not the base ref), inferred for an anonymous
// ref no pairing decision seriously doubted, guess otherwise.
Confidence held_confidence(const replay::ObjectState &obj, const replay::OpenRef &ref);

// Open reference units as reports see them, before grouping.
struct HeldUnit {
    SiteKey site;
    std::int32_t tid = unknown_id;
    std::uint64_t since_ns = 0;
    std::uint64_t holder = 0;
    Confidence confidence = Confidence::guess;
    bool uncertain = false;
    bool base = false; // set by obj_init / ref_set / ref_unfreeze
    int units = 0;
    bool expected = false;
};

// Every open reference of `obj` (frozen ones are not counted: refs add up to the count).
std::vector<HeldUnit> held_units(const replay::ObjectState &obj);

// Groups by (site, tid, holder, confidence, expected); refs add up; since_ns is
// the oldest. Unexpected (blocking) groups first, then most refs, then oldest.
std::vector<HeldRefs> group_holders(const std::vector<HeldUnit> &units);

// The ObjectState report of `obj` at `time_ns`.
ObjectState object_report(const replay::ObjectState &obj, std::uint64_t time_ns);

} // namespace refblame::analyzer::query
