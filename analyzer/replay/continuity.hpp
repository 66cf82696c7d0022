// continuity.hpp: does an event follow from the count before it? Every event carries the count after the op.
#pragma once

#include "model/event.hpp"

#include <cstdint>
#include <optional>

namespace refblame::analyzer::replay {

// The count change an event applies when it follows a known count; nullopt for
// ops that set the count absolutely (set, unfreeze, obj_init) or a successful
// freeze (which sets it to 0 from exactly `val`).
inline std::optional<std::int32_t> relative_delta(const Event &e); // per event, on every pass: inline (below)

// True when `e` is what the op would record if the count before it was `before`.
inline bool follows(std::int32_t before, const Event &e);

// The count the object must have had just before `e` for `e` to be consistent
// (used to resynchronize after a break and to start an object seen mid-life);
// nullopt when the op sets the count absolutely.
std::optional<std::int32_t> implied_before(const Event &e);

inline std::optional<std::int32_t> relative_delta(const Event &e)
{
    switch (e.op) {
    case Op::mod:
    case Op::mod_and_test:
    case Op::mod_and_return:
        return e.val;
    case Op::mod_unless:
        return e.ret ? e.val : 0;
    case Op::freeze:
        if (e.ret)
            return std::nullopt;
        return 0; // a failed freeze changes nothing; count is the count seen
    case Op::obj_free:
    case Op::move:
        return 0;
    case Op::set:
    case Op::unfreeze:
    case Op::obj_init:
        return std::nullopt;
    }
    return std::nullopt;
}

inline bool follows(std::int32_t before, const Event &e)
{
    if (e.op == Op::freeze && e.ret)
        return before == e.val && e.count == 0;
    if (e.op == Op::freeze) // failed: the count seen is the count, and it was not `expected`
        return e.count == before && before != e.val;
    std::optional<std::int32_t> d = relative_delta(e);
    if (!d)
        return true;
    return static_cast<std::int64_t>(before) + *d == e.count;
}

} // namespace refblame::analyzer::replay
