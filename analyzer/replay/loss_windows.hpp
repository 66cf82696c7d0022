// loss_windows.hpp: where the tracer lost events (per process, a time range each) and whether an object's quiet spell spans one.
//
// Counts only catch losses that change them: a lost get of holder B and put of
// holder A leave the count continuous and the replay holding A's stale
// reference. So an object whose consecutive events straddle a loss of its
// process may have lost events there, and is uncertain from then on; an
// object with no event after the loss (touched only before it), or whose
// generation began after it, keeps its answer.
#pragma once

#include "model/event.hpp"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace refblame::analyzer::replay {

class LossWindows {
public:
    // A loss without a time range (a stream that could not be read) covers all
    // time; one without a process (unknown_id) covers every process.
    void add(const Loss &l);

    // True when a loss of `pid` (or of an unknown process) overlaps the open interval (after_ns, before_ns).
    bool between(std::int32_t pid, std::uint64_t after_ns, std::uint64_t before_ns) const;

    bool empty() const { return by_pid_.empty(); }

private:
    struct Window {
        std::uint64_t begin = 0, end = 0;
        std::uint64_t max_end = 0; // the latest end among this window and those that begin before it
    };
    static bool overlaps(const std::vector<Window> &w, std::uint64_t after_ns, std::uint64_t before_ns);
    std::unordered_map<std::int32_t, std::vector<Window>> by_pid_; // sorted by begin
};

} // namespace refblame::analyzer::replay
