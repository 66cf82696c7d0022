// event.hpp: the compact internal form of one trace event, as the reader hands it to the replay and the symbolizer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace refblame::analyzer {

// One per refblame event class (provider `refblame`), in DESIGN.md order.
enum class Op : std::uint8_t {
    set,            // ref_set: count set to val
    mod,            // ref_mod: count += val (add/sub/inc/dec, tracked get)
    mod_and_test,   // ref_mod_and_test: count += val, ret = reached zero (tracked put)
    mod_and_return, // ref_mod_and_return: count += val, ret = new count
    mod_unless,     // ref_mod_unless: count += val when ret, else unchanged
    freeze,         // ref_freeze: val = expected; ret = success; count = 0 or the count seen
    unfreeze,       // ref_unfreeze: count = val
    obj_init,       // obj_init: new object (generation) of `kind`, count = initial
    obj_free,       // obj_free: object gone, count = refs still counted
    move,           // ref_move: reference passes from `from` to `holder`
};

std::string_view op_name(Op op); // the event name without provider, e.g. "ref_mod"

inline constexpr std::int32_t unknown_id = -1; // pid/tid when the context was not recorded

struct Event {
    std::uint64_t time_ns = 0; // nanoseconds from the clock's origin (Unix epoch for LTTng)
    std::uint64_t obj = 0;     // address of the refblame_ref_t
    std::uint64_t caller = 0;  // return address into user code
    std::uint64_t holder = 0;  // tracked holder, 0 when anonymous
    std::uint64_t from = 0;    // ref_move: previous holder (0: adopt of an anonymous ref)
    std::uint32_t stack_id = 0; // 0: no stack recorded (call-stacks issue)
    std::uint32_t stream = 0;  // reader's index of the CTF stream the event came from
    std::int32_t pid = unknown_id;
    std::int32_t tid = unknown_id;
    std::int32_t count = 0; // value after the op
    std::int32_t val = 0;   // delta / expected / new value
    std::int32_t ret = 0;   // op result where the op returns one
    std::uint32_t site = 0; // set by the analysis: dense id of (pid, caller, stack_id) (replay/site_index.hpp); 0: none
    // Set with `site`: the id of (pid, caller) alone. Attribution pairs by it: the code that takes or drops
    // a reference is the caller, whatever path led there (the stack is for reporting).
    std::uint32_t caller_site = 0;
    Op op = Op::mod;
    std::string_view kind; // obj_init only: interned, valid for the reader's lifetime
};

// Count change an op applies when it succeeds (set/unfreeze/init are absolute).
inline bool is_absolute(Op op) { return op == Op::set || op == Op::unfreeze || op == Op::obj_init; }

// A loaded module in a traced process, from lttng_ust_statedump:* and lttng_ust_lib:* events.
struct ModuleEvent {
    enum class Kind : std::uint8_t { bin_info, build_id, debug_link, load, unload, statedump_start, statedump_end };
    Kind kind = Kind::bin_info;
    std::uint64_t time_ns = 0;
    std::int32_t pid = unknown_id;
    std::uint64_t baddr = 0; // load address
    std::uint64_t memsz = 0;
    std::string path;
    bool is_pic = true;
    std::vector<std::uint8_t> build_id;
    std::string debug_link;
    std::uint32_t crc = 0;
};

// Events the tracer could not record: a discarded-events or discarded-packets message.
struct Loss {
    std::uint32_t stream = 0;
    std::int32_t pid = unknown_id; // process of the stream, when known
    std::uint64_t begin_ns = 0;    // time range the loss covers (0: unknown)
    std::uint64_t end_ns = 0;
    std::uint64_t count = 0;  // as reported; 0 when not available; may be untrustworthy
    bool packets = false;     // true: discarded packets (count is packets, not events)
    std::string trace;        // the CTF trace directory the stream belongs to
};

// A recorded call stack (refblame:stack), written once per process before the
// first event whose stack_id is `id`: the return addresses above that event's
// caller, innermost first.
struct StackEvent {
    std::int32_t pid = unknown_id;
    std::uint32_t id = 0;
    std::uint64_t time_ns = 0;
    std::vector<std::uint64_t> frames;
};

// What the reader hands on, in timestamp order across every stream of every trace.
class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void on_event(const Event &e) = 0;
    virtual void on_module(const ModuleEvent &m) = 0;
    virtual void on_loss(const Loss &l) = 0;
    virtual void on_stack(const StackEvent &) {}
    // An event this sink is not given happened at time_ns: a replay split by object hands each
    // shard its own objects' events and only the time of the others'.
    virtual void on_clock(std::uint64_t /*time_ns*/) {}
    // `n` such events passed over at once, time_ns the latest time of any event by the last of them: while
    // they came, this sink held no event back (EventSpill::add's `held`), so that their count and the
    // latest time are all that counts.
    virtual void on_clocks(std::uint64_t n, std::uint64_t time_ns)
    {
        for (std::uint64_t i = 0; i < n; ++i)
            on_clock(time_ns);
    }
    // `e` will be handed to on_event soon: start loading what handling it touches, without waiting for
    // it. A sink given its events in batches calls this at prefetch_stages distances before each event,
    // stage 0 farthest ahead; stage s may rely on the loads of stage s - 1 having arrived (the object's
    // slot, then its state, then what the state points to). A hint: it changes nothing.
    virtual void prefetch(const Event & /*e*/, unsigned /*stage*/) const {}
};

// How far ahead of on_event the stages of EventSink::prefetch run, in events (farthest first).
inline constexpr unsigned prefetch_stages = 3;
inline constexpr std::size_t prefetch_distance[prefetch_stages] = {12, 8, 4};

// Before handing on the i-th of `n` events: the prefetch stages for those ahead of it (`at(k)`: the k-th).
template <class At>
inline void prefetch_ahead(const EventSink &sink, std::size_t n, std::size_t i, At &&at)
{
    for (unsigned s = 0; s < prefetch_stages; ++s)
        if (i + prefetch_distance[s] < n)
            sink.prefetch(at(i + prefetch_distance[s]), s);
}

} // namespace refblame::analyzer
