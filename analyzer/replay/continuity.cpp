// continuity.cpp: the count arithmetic of each op (DESIGN.md: count == previous + delta).
#include "replay/continuity.hpp"

namespace refblame::analyzer::replay {

std::optional<std::int32_t> relative_delta(const Event &e)
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

bool follows(std::int32_t before, const Event &e)
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
