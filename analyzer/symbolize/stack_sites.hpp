// stack_sites.hpp: the recorded call stacks of a trace, and which frame of caller + stack names a site (the first outside refblame, the C++ library and wrappers).
#pragma once

#include "model/event.hpp"
#include "model/report.hpp"
#include "symbolize/frame_filter.hpp"
#include "symbolize/symbolizer.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace refblame::analyzer {

class StackSites {
public:
    // One refblame:stack event.
    void on_stack(const StackEvent &s);
    bool empty() const { return stacks_.empty(); }

    // The recorded frames of key's stack (innermost first); nullptr when the
    // key has none or its definition is not in the trace (counted for warnings()).
    const std::vector<std::uint64_t> *frames(const SiteKey &key);

    // Functions (exact names) found to be wrappers: their frames are skipped.
    // `helpers`: may be helpers, no stack recorded to tell (maybe_helper).
    void add_wrappers(const std::vector<std::string> &functions, const std::vector<std::string> &helpers);
    bool is_wrapper(const std::string &function) const { return wrappers_.count(function) != 0; }

    // Physical frame `address` of process `pid`, symbolized (innermost user frame chosen).
    using Resolve = std::function<const SymbolizedSite &(std::int32_t pid, std::uint64_t address)>;

    // The site of `key`: walking the caller's inline chain, then each recorded
    // frame's, the first frame the filter calls the user's and that is not a
    // wrapper. Frames without symbols stop the walk (nothing says they are not
    // the user's). Without a stack, or when every frame is skipped, the
    // caller's site as `resolve` gives it.
    SymbolizedSite site(const SiteKey &key, const Resolve &resolve, const FrameFilter &filter);

    // What the user must know: stack ids without a definition, ids defined twice.
    std::vector<std::string> warnings() const;

private:
    std::map<std::pair<std::int32_t, std::uint32_t>, std::vector<std::uint64_t>> stacks_;
    std::set<std::pair<std::int32_t, std::uint32_t>> undefined_;
    std::uint64_t redefined_ = 0;
    std::set<std::string, std::less<>> wrappers_, helpers_;
};

} // namespace refblame::analyzer
