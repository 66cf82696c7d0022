// stack_view.cpp: how a recorded call stack reads: frames in text and in folded-stack form.
#include "format/stack_view.hpp"

#include "format/site_view.hpp"

#include <algorithm>

namespace refblame::analyzer {

namespace {

std::string basename_of(const std::string &path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string unresolved_label(const SymbolizedSite &s)
{
    if (s.module.empty())
        return hex(s.address) + " (no module mapped)";
    return basename_of(s.module) + "+" + hex(s.offset);
}

} // namespace

std::string frame_label(const SymbolizedSite &s)
{
    if (!s.resolved)
        return unresolved_label(s);
    return (s.function.empty() ? std::string("??") : s.function) + "  " + s.file + ":" + std::to_string(s.line);
}

std::string folded_frame(const SymbolizedSite &s)
{
    std::string name = s.resolved && !s.function.empty() ? s.function : unresolved_label(s);
    std::replace(name.begin(), name.end(), ';', ',');
    std::replace(name.begin(), name.end(), '\n', ' ');
    return name;
}

std::string stack_text(const SiteKey &key, Symbolizer &sym, const std::string &indent, std::size_t max_frames)
{
    std::vector<SymbolizedSite> frames = sym.stack(key);
    if (frames.empty())
        return {};
    const SymbolizedSite &site = sym.resolve(key);
    std::string out;
    bool marked = false;
    for (std::size_t i = 0; i < frames.size() && i < max_frames; ++i) {
        const SymbolizedSite &f = frames[i];
        out += indent + (i == 0 ? "stack: " : "       ") + frame_label(f);
        if (!marked && f.address == site.address && site.resolved) {
            marked = true;
            if (i > 0 || f.function != site.function)
                out += "  <- site: " + site.function + " line " + std::to_string(site.line);
        }
        out += "\n";
    }
    if (frames.size() > max_frames)
        out += indent + "       ... " + std::to_string(frames.size() - max_frames) + " more frames\n";
    return out;
}

std::vector<std::string> folded_frames(const SiteKey &key, Symbolizer &sym)
{
    std::vector<SymbolizedSite> frames = sym.stack(key);
    std::vector<std::string> out;
    if (frames.empty()) {
        out.push_back(folded_frame(sym.resolve(key)));
        return out;
    }
    for (auto it = frames.rbegin(); it != frames.rend(); ++it)
        out.push_back(folded_frame(*it));
    return out;
}

} // namespace refblame::analyzer
