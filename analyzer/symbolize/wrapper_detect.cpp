// wrapper_detect.cpp: per function: its calling sites (first user frame of each recorded stack) and the kinds of ops it performs.
#include "symbolize/wrapper_detect.hpp"

#include <map>
#include <set>

namespace refblame::analyzer {

namespace {

struct FunctionUse {
    std::set<std::string> callers; // "function\nfile\nline" of the first user frame above it
    bool without_stack = false;    // some op of it has no recorded stack
    bool acquires = false, releases = false, other = false;
};

// The first frame of the recorded stack (not the caller) that is the user's.
std::string calling_site(const std::vector<SymbolizedSite> &stack)
{
    for (std::size_t i = 1; i < stack.size(); ++i) {
        const SymbolizedSite &s = stack[i];
        if (!s.resolved)
            return s.module + "+" + std::to_string(s.offset);
        if (!s.in_library_code)
            return s.function + "\n" + s.file + "\n" + std::to_string(s.line);
    }
    return {};
}

} // namespace

WrapperFindings detect_wrappers(const std::vector<SiteUse> &uses, Symbolizer &sym)
{
    std::map<std::string, FunctionUse> functions;
    for (const SiteUse &u : uses) {
        const SymbolizedSite &s = sym.resolve(u.site.pid, u.site.address);
        if (!s.resolved || s.in_library_code)
            continue;
        FunctionUse &f = functions[s.function];
        f.acquires = f.acquires || u.acquired > 0;
        f.releases = f.releases || u.released > 0;
        f.other = f.other || u.other > 0;
        std::string caller = u.site.stack_id ? calling_site(sym.stack(u.site)) : std::string();
        if (caller.empty())
            f.without_stack = true;
        else
            f.callers.insert(std::move(caller));
    }
    WrapperFindings out;
    for (const auto &[name, f] : functions) {
        if (!f.without_stack && !f.other && f.callers.size() >= wrapper_min_callers)
            out.wrappers.push_back(name);
        else if (f.without_stack && f.callers.empty() && f.acquires && f.releases && !f.other)
            out.helpers_without_stacks.push_back(name);
    }
    return out;
}

} // namespace refblame::analyzer
