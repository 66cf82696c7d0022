// frame_filter.cpp: matching frames against skip patterns and picking the innermost user frame of an inline chain.
#include "symbolize/frame_filter.hpp"

#include <fnmatch.h>

namespace refblame::analyzer {

FramePatterns default_skip_patterns()
{
    return FramePatterns{
        {
            "*/refblame/ref.h",
            "*/refblame/ref.hpp",
            "*/refblame/page_ref.h",
            "*/include/c++/*",   // libstdc++ (/usr/include/c++/12/...), libc++ (.../include/c++/v1/...)
            "*/include/*/c++/*", // libstdc++'s target headers (/usr/include/x86_64-linux-gnu/c++/12/...)
        },
        {},
    };
}

namespace {

bool matches_any(const std::vector<std::string> &patterns, const std::string &text)
{
    for (const auto &p : patterns)
        if (fnmatch(p.c_str(), text.c_str(), 0) == 0)
            return true;
    return false;
}

bool starts_with(const std::string &s, const char *prefix)
{
    return s.rfind(prefix, 0) == 0;
}

} // namespace

FrameFilter::FrameFilter(const FramePatterns &extra) : patterns_(default_skip_patterns())
{
    patterns_.files.insert(patterns_.files.end(), extra.files.begin(), extra.files.end());
    patterns_.functions.insert(patterns_.functions.end(), extra.functions.begin(), extra.functions.end());
}

bool FrameFilter::is_user_frame(const SourceFrame &frame) const
{
    if (matches_any(patterns_.functions, frame.function))
        return false;
    if (frame.file.empty())
        return !starts_with(frame.function, "std::") && !starts_with(frame.function, "__gnu_cxx::");
    // Relative paths (DWARF without a compilation directory) match "*/..." too.
    return !matches_any(patterns_.files, frame.file.front() == '/' ? frame.file : "/" + frame.file);
}

FrameFilter::Choice FrameFilter::choose(const std::vector<SourceFrame> &chain) const
{
    for (std::size_t i = 0; i < chain.size(); ++i)
        if (is_user_frame(chain[i]))
            return {i, false};
    return {chain.empty() ? 0 : chain.size() - 1, true};
}

} // namespace refblame::analyzer
