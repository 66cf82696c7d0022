// observer.hpp: what the replay tells the stages after it (learning, queries) as it applies each event.
#pragma once

#include "model/report.hpp"
#include "replay/object_state.hpp"
#include "replay/pairer.hpp"

#include <cstdint>

namespace refblame::analyzer::replay {

struct Release {
    ReleaseKind kind = ReleaseKind::put;
    const OpenRef *ref = nullptr; // the reference closed (still in obj.refs during the call)
    int units = 1;
    Confidence confidence = Confidence::guess;
    double site_posterior = 0;
    bool forced = false;
};

enum class EndReason : std::uint8_t { freed, reinit, end_of_trace };

// Every callback sees the object state at that moment; none may keep references into it.
class ReplayObserver {
public:
    virtual ~ReplayObserver() = default;
    // Before `e` changes `obj` (obj is the state just before e: the state at any time before e.time_ns).
    virtual void before_event(const ObjectState &, const Event &) {}
    virtual void on_acquire(const ObjectState &, const Event &, const OpenRef &) {}
    virtual void on_release(const ObjectState &, const Event &, const Release &) {}
    // After `e` was applied; `continuity_break` when its count did not follow.
    virtual void on_applied(const ObjectState &, const Event &, bool /*continuity_break*/) {}
    // A failed freeze: obj.refs are the references open at that moment.
    virtual void on_failed_freeze(const ObjectState &, const Event &) {}
    // A successful freeze, before its references become frozen.
    virtual void on_successful_freeze(const ObjectState &, const Event &) {}
    // A generation ends (obj_free, obj_init on a live object, end of trace): obj.refs are what it still held.
    virtual void on_generation_end(const ObjectState &, std::uint64_t /*time_ns*/, EndReason) {}
    virtual void on_finding(const Finding &) {}
    // `e`'s count did not follow the replayed count (`expected_before` vs what e implies).
    virtual void on_break(const ObjectState &, const Event &, bool /*after_loss*/) {}
};

} // namespace refblame::analyzer::replay
