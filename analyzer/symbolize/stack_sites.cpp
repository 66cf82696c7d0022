// stack_sites.cpp: keeps the recorded stacks and walks caller + stack to the frame that names a site.
#include "symbolize/stack_sites.hpp"

namespace refblame::analyzer {

void StackSites::on_stack(const StackEvent &s)
{
    auto [it, fresh] = stacks_.try_emplace({s.pid, s.id}, s.frames);
    if (!fresh && it->second != s.frames) {
        // A pid reused within one recording: the later process's stacks win.
        ++redefined_;
        it->second = s.frames;
    }
}

const std::vector<std::uint64_t> *StackSites::frames(const SiteKey &key)
{
    if (key.stack_id == 0)
        return nullptr;
    auto it = stacks_.find({key.pid, key.stack_id});
    if (it == stacks_.end()) {
        undefined_.insert({key.pid, key.stack_id});
        return nullptr;
    }
    return &it->second;
}

void StackSites::add_wrappers(const std::vector<std::string> &functions, const std::vector<std::string> &helpers)
{
    wrappers_.insert(functions.begin(), functions.end());
    helpers_.insert(helpers.begin(), helpers.end());
}

SymbolizedSite StackSites::site(const SiteKey &key, const Resolve &resolve, const FrameFilter &filter)
{
    const SymbolizedSite &caller = resolve(key.pid, key.address);
    const std::vector<std::uint64_t> *stack = frames(key);
    const bool caller_is_wrapper = caller.resolved && !caller.in_library_code && is_wrapper(caller.function);
    if (!caller.resolved || (!caller.in_library_code && !caller_is_wrapper)) {
        SymbolizedSite s = caller;
        s.maybe_helper = !stack && caller.resolved && helpers_.count(caller.function) != 0;
        return s;
    }

    const std::size_t n = 1 + (stack ? stack->size() : 0);
    for (std::size_t i = 0; i < n; ++i) {
        const SymbolizedSite &s = i == 0 ? caller : resolve(key.pid, (*stack)[i - 1]);
        if (!s.resolved) {
            if (i == 0)
                continue;
            return s; // no symbols: nothing says it is not the user's
        }
        // Inline chain, innermost first: the first user frame that is no wrapper.
        for (const SourceFrame &f : s.inline_chain) {
            if (!filter.is_user_frame(f) || is_wrapper(f.function))
                continue;
            SymbolizedSite named = s;
            named.function = f.function;
            named.file = f.file;
            named.line = f.line;
            named.in_library_code = false;
            named.from_stack = i > 0;
            return named;
        }
    }
    SymbolizedSite fallback = caller;
    fallback.through_wrapper = caller_is_wrapper;
    fallback.stack_too_short = stack != nullptr;
    return fallback;
}

std::vector<std::string> StackSites::warnings() const
{
    std::vector<std::string> out;
    if (!undefined_.empty())
        out.push_back(std::to_string(undefined_.size()) +
                      " call stack(s) used by events are not in the trace (refblame:stack events not recorded, "
                      "lost, or written before the session started): those sites are named by their caller only");
    if (!wrappers_.empty()) {
        std::string names;
        for (const std::string &w : wrappers_)
            names += (names.empty() ? "" : ", ") + w;
        out.push_back("taken for wrappers (references from many callers, per the recorded stacks; their callers are "
                      "named instead): " + names);
    }
    if (redefined_)
        out.push_back(std::to_string(redefined_) +
                      " call stack id(s) were defined twice with different frames (a process id reused during "
                      "the recording?): the later definition was used");
    return out;
}

} // namespace refblame::analyzer
