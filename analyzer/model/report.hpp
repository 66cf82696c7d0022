// report.hpp: what the replay and queries produce and the formatters print, before and after symbolization.
#pragma once

#include "model/event.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace refblame::analyzer {

// Which rule decided who holds a reference (DESIGN.md "Attribution").
enum class Confidence : std::uint8_t { exact, inferred, guess };
std::string_view confidence_name(Confidence c);

// Where a reference was acquired, before symbolization: a caller address in a
// process (addresses are per process) and, when recorded, a stack id.
struct SiteKey {
    std::int32_t pid = unknown_id;
    std::uint64_t address = 0;
    std::uint32_t stack_id = 0;
    friend bool operator==(const SiteKey &, const SiteKey &) = default;
};

// One object generation: (pid, address, generation) never merges two lifetimes.
struct ObjectKey {
    std::int32_t pid = unknown_id;
    std::uint64_t obj = 0;
    std::uint32_t generation = 0;
    friend bool operator==(const ObjectKey &, const ObjectKey &) = default;
};

// A group of open references with one site, thread, holder and rule.
struct HeldRefs {
    SiteKey site;
    int refs = 0;
    std::int32_t tid = unknown_id;
    std::uint64_t since_ns = 0;
    std::uint64_t holder = 0; // 0: anonymous
    Confidence confidence = Confidence::guess;
    bool uncertain = false; // the replay lost continuity on this object
    bool expected = false;  // judged one of the `expected` refs of a freeze (not blocking)
};

// A failed freeze (a blocked migration/eviction) and who held references then.
struct Blocked {
    ObjectKey object;
    std::string kind;
    std::uint64_t time_ns = 0;
    std::int32_t tid = unknown_id;
    int expected = 0;
    int count = 0;           // the count the freeze saw
    SiteKey freeze_site;     // where the freeze was attempted
    bool uncertain = false;
    std::vector<HeldRefs> holders; // refs add up to count
};

// The state of one object at a moment (holders --object --at).
struct ObjectState {
    ObjectKey object;
    std::string kind;
    std::uint64_t time_ns = 0;
    int count = 0;
    bool uncertain = false;
    bool freed = false;
    std::vector<HeldRefs> holders;
};

// An object with references still held at obj_free or at the end of the trace.
struct LeakedObject {
    ObjectState state; // time_ns: free time or end of trace; freed tells which
};

// Per acquire site: gets, puts, outstanding refs, hold times.
struct SiteStats {
    SiteKey site;
    std::uint64_t gets = 0;        // references acquired at this site
    std::uint64_t puts = 0;        // of those, released
    std::uint64_t outstanding = 0; // still open at the end / at free
    std::uint64_t hold_ns_total = 0;
    std::uint64_t hold_ns_max = 0;
    std::uint64_t blocked = 0;     // failed freezes where this site held a non-expected ref
    std::uint64_t blocked_refs = 0;
};

// One event of an object's history (history --object), with the rule that paired it.
struct HistoryEntry {
    Event event;
    std::uint32_t generation = 0;
    bool continuity_break = false; // count != previous + delta here
    std::optional<SiteKey> paired_with; // for a put: the acquire site it was paired with
    std::optional<Confidence> pairing;
};

// Trace-wide numbers (stats), also carried by every other report.
struct TraceSummary {
    std::string trace;
    std::uint64_t events = 0;          // refblame events replayed
    std::uint64_t lost_events = 0;     // discarded events reported by the tracer (sum, may be approximate)
    std::uint64_t lost_packets = 0;
    std::vector<Loss> losses;
    std::uint64_t objects = 0;          // object generations seen
    std::uint64_t processes = 0;
    std::uint64_t uncertain_objects = 0;
    std::uint64_t first_ns = 0, last_ns = 0;
    std::vector<std::string> warnings; // everything the user must know about completeness
};

} // namespace refblame::analyzer
