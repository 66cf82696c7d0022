// loss_windows.cpp: where the tracer lost events (per process, a time range each) and whether an object's quiet spell spans one.
#include "replay/loss_windows.hpp"

#include <algorithm>
#include <limits>

namespace refblame::analyzer::replay {

void LossWindows::add(const Loss &l)
{
    Window w;
    w.begin = l.begin_ns;
    w.end = l.end_ns;
    if (l.begin_ns == 0 && l.end_ns == 0) // no time range: the whole trace
        w.end = std::numeric_limits<std::uint64_t>::max();
    w.end = std::max(w.end, w.begin);
    std::vector<Window> &v = by_pid_[l.pid];
    // Losses arrive nearly in time order: insert from the back, then redo the running maximum from there.
    auto at = std::upper_bound(v.begin(), v.end(), w.begin, [](std::uint64_t b, const Window &x) { return b < x.begin; });
    std::size_t i = static_cast<std::size_t>(at - v.begin());
    v.insert(at, w);
    for (; i < v.size(); ++i)
        v[i].max_end = std::max(v[i].end, i > 0 ? v[i - 1].max_end : 0);
}

bool LossWindows::overlaps(const std::vector<Window> &v, std::uint64_t after_ns, std::uint64_t before_ns)
{
    // Windows beginning before `before_ns`: does any of them end after `after_ns`?
    auto past = std::lower_bound(v.begin(), v.end(), before_ns,
                                 [](const Window &x, std::uint64_t t) { return x.begin < t; });
    if (past == v.begin())
        return false;
    return std::prev(past)->max_end > after_ns;
}

bool LossWindows::between(std::int32_t pid, std::uint64_t after_ns, std::uint64_t before_ns) const
{
    for (std::int32_t p : {pid, unknown_id}) {
        auto it = by_pid_.find(p);
        if (it != by_pid_.end() && overlaps(it->second, after_ns, before_ns))
            return true;
        if (pid == unknown_id)
            break;
    }
    return false;
}

} // namespace refblame::analyzer::replay
