// report.hpp: what the replay and queries produce and the formatters print, before and after symbolization.
#pragma once

#include "model/event.hpp"

#include <array>
#include <cstddef>
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

// For hash containers keyed by site.
struct SiteKeyHash {
    std::size_t operator()(const SiteKey &s) const noexcept
    {
        std::uint64_t h = s.address * 0x9e3779b97f4a7c15ull;
        h ^= (static_cast<std::uint64_t>(static_cast<std::uint32_t>(s.pid)) << 32 | s.stack_id) + (h >> 29);
        return static_cast<std::size_t>(h);
    }
};

// What the trace did at one site (caller + stack), straight from its events.
struct SiteUse {
    SiteKey site;
    std::uint64_t acquired = 0; // reference units added (inc/add/get, obj_init's initial count)
    std::uint64_t released = 0; // units dropped (dec/sub/put)
    std::uint64_t other = 0;    // ops that set the count rather than take or drop (freeze, unfreeze, set)
    std::uint64_t events = 0;
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

// Hold times on a log scale (4 buckets per doubling): fixed memory per site, medians within ~10%,
// and rows of one source location add up exactly.
struct HoldHistogram {
    static constexpr std::size_t size = 256;
    std::array<std::uint32_t, size> buckets{};
    void add(std::uint64_t hold_ns, std::uint64_t units);
    void merge(const HoldHistogram &o);
    std::uint64_t median(std::uint64_t max_ns) const; // 0 when empty; never above max_ns
};

// Per acquire site: gets, puts, outstanding refs, hold times.
struct SiteStats {
    SiteKey site;
    std::uint64_t gets = 0;        // references acquired at this site
    std::uint64_t puts = 0;        // of those, released
    std::uint64_t outstanding = 0; // still open at the end / at free
    std::uint64_t hold_ns_total = 0;
    std::uint64_t hold_ns_max = 0;
    std::uint64_t hold_ns_median = 0; // approximate (log-scale histogram, within ~10%)
    HoldHistogram holds;
    std::uint64_t blocked = 0;     // failed freezes where this site held a non-expected ref
    std::uint64_t blocked_refs = 0;

    // Adds another row's counts and holds (the median is not recomputed): the same site seen in
    // another shard of the objects, or another address of the same source line.
    void add(const SiteStats &o);
};

// One event of an object's history (history --object), with the rule that paired it.
struct HistoryEntry {
    Event event;
    std::uint32_t generation = 0;
    bool continuity_break = false; // count != previous + delta here
    std::optional<SiteKey> paired_with; // for a put: the acquire site it was paired with
    std::optional<Confidence> pairing;
    std::uint64_t paired_get_ns = 0;          // for a put: when the paired get happened
    std::int32_t paired_get_tid = unknown_id; // and on which thread
    bool uncertain = false;                   // the object had lost continuity by this event
};

// An acquire site with references still held at obj_free or at the end of the trace.
struct LeakSite {
    SiteKey site;
    std::uint64_t refs = 0;            // refs acquired here and never released
    std::uint64_t objects = 0;         // object generations holding them
    std::uint64_t freed_with_refs = 0; // of those, objects freed while the refs were held
    Confidence confidence = Confidence::exact; // the weakest rule among its refs
    bool uncertain = false;
};

// A bug of the traced program, reported with its site (not an analyzer error).
enum class FindingKind : std::uint8_t {
    underflow,        // a put without a get: the count went below zero
    get_on_frozen,    // a get on a frozen (count 0 after a successful freeze) object
    freed_with_refs,  // obj_free while references were still counted
    double_free,      // obj_free on an object already freed
    use_after_free,   // an op on a freed object without a new obj_init
    reinit_with_refs, // obj_init on a live object that still had references
};
inline std::string_view finding_name(FindingKind k)
{
    switch (k) {
    case FindingKind::underflow: return "underflow";
    case FindingKind::get_on_frozen: return "get_on_frozen";
    case FindingKind::freed_with_refs: return "freed_with_refs";
    case FindingKind::double_free: return "double_free";
    case FindingKind::use_after_free: return "use_after_free";
    case FindingKind::reinit_with_refs: return "reinit_with_refs";
    }
    return "?";
}

struct Finding {
    FindingKind what = FindingKind::underflow;
    ObjectKey object;
    std::string kind;        // the object's kind
    std::uint64_t time_ns = 0;
    std::int32_t tid = unknown_id;
    SiteKey site;            // where the offending op was called
    Op op = Op::mod;
    int count = 0;           // the count after the op
    std::uint64_t holder = 0;
};

// How a recorded process ended, from the recorder's refblame-record.json (none for other LTTng traces).
struct ProcessEnd {
    std::int32_t pid = unknown_id;
    std::string program;
    int exit_status = 0; // as a shell reports it: the exit code, or 128 + signal
    int signal = 0;      // the signal that killed it; 0 when it exited
    bool abnormal() const { return signal != 0; }
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
    std::array<std::uint64_t, 10> events_by_op{}; // indexed by Op
    std::uint64_t threads = 0;
    std::uint64_t addresses = 0;          // distinct (pid, address) pairs
    std::uint64_t continuity_breaks = 0;  // events whose count did not follow (lost or reordered)
    std::uint64_t reordered_events = 0;   // events put back in order by their counts
    std::uint64_t findings = 0;           // program bugs found (FindingKind)
    std::vector<std::string> warnings; // everything the user must know about completeness
    std::vector<ProcessEnd> process_ends; // from the recorder, when it left refblame-record.json
};

} // namespace refblame::analyzer
