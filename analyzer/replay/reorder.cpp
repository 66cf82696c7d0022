// reorder.cpp: bounded depth-first search for a count-consistent order of one object's pending events.
#include "replay/reorder.hpp"

#include "replay/continuity.hpp"

namespace refblame::analyzer::replay {

namespace {

struct Search {
    const std::vector<Event> &pending;
    std::vector<bool> used;
    std::vector<std::size_t> order;
    std::size_t steps = 0;
    std::size_t max_steps;

    // The first unused event of `tid` in arrival order is the only one of that thread that may go next.
    bool is_thread_head(std::size_t i) const
    {
        for (std::size_t j = 0; j < i; ++j)
            if (!used[j] && pending[j].tid == pending[i].tid)
                return false;
        return true;
    }

    bool run(std::int32_t count)
    {
        if (order.size() == pending.size())
            return true;
        for (std::size_t i = 0; i < pending.size(); ++i) {
            if (used[i] || !is_thread_head(i))
                continue;
            if (++steps > max_steps)
                return false;
            if (!follows(count, pending[i]))
                continue;
            used[i] = true;
            order.push_back(i);
            if (run(pending[i].count))
                return true;
            order.pop_back();
            used[i] = false;
        }
        return false;
    }
};

} // namespace

std::vector<std::size_t> consistent_order(std::int32_t count, const std::vector<Event> &pending,
                                          std::size_t max_steps)
{
    Search s{pending, std::vector<bool>(pending.size(), false), {}, 0, max_steps};
    s.order.reserve(pending.size());
    if (s.run(count))
        return s.order;
    return {};
}

} // namespace refblame::analyzer::replay
