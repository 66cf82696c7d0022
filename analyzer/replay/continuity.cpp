// continuity.cpp: the count arithmetic of each op (DESIGN.md: count == previous + delta).
#include "replay/continuity.hpp"

namespace refblame::analyzer::replay {

std::optional<std::int32_t> implied_before(const Event &e)
{
    if (e.op == Op::freeze && e.ret)
        return e.val;
    std::optional<std::int32_t> d = relative_delta(e);
    if (!d)
        return std::nullopt;
    return static_cast<std::int32_t>(static_cast<std::int64_t>(e.count) - *d);
}

} // namespace refblame::analyzer::replay
