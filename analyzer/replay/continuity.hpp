// continuity.hpp: does an event follow from the count before it? Every event carries the count after the op.
#pragma once

#include "model/event.hpp"

#include <cstdint>
#include <optional>

namespace refblame::analyzer::replay {

// The count change an event applies when it follows a known count; nullopt for
// ops that set the count absolutely (set, unfreeze, obj_init) or a successful
// freeze (which sets it to 0 from exactly `val`).
std::optional<std::int32_t> relative_delta(const Event &e);

// True when `e` is what the op would record if the count before it was `before`.
bool follows(std::int32_t before, const Event &e);

// The count the object must have had just before `e` for `e` to be consistent
// (used to resynchronize after a break and to start an object seen mid-life);
// nullopt when the op sets the count absolutely.
std::optional<std::int32_t> implied_before(const Event &e);

} // namespace refblame::analyzer::replay
