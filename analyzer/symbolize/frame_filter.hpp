// frame_filter.hpp: which source frames are the user's code, and which frame of an inline chain is the site people read.
#pragma once

#include "symbolize/symbolizer.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace refblame::analyzer {

// Glob patterns (fnmatch, '*' crosses '/') of frames that are not the user's.
struct FramePatterns {
    std::vector<std::string> files;     // source files (refblame's headers, the C++ standard library)
    std::vector<std::string> functions; // function names (known wrappers)
};

// refblame's own headers (ref.h, page_ref.h, ref.hpp in any .../refblame/
// include directory) and the C++ standard library's headers.
FramePatterns default_skip_patterns();

class FrameFilter {
public:
    // `extra` adds to the defaults.
    explicit FrameFilter(const FramePatterns &extra = {});

    // A frame is the user's unless its file (where its line executes) or its
    // function matches a pattern. A frame without a file (symbol table only)
    // in namespace std or __gnu_cxx is library code too.
    bool is_user_frame(const SourceFrame &frame) const;

    struct Choice {
        std::size_t index = 0;   // the frame that names the site
        bool in_library = false; // no user frame: index is the outermost frame
    };
    // The innermost user frame of `chain` (innermost first, non-empty).
    Choice choose(const std::vector<SourceFrame> &chain) const;

private:
    FramePatterns patterns_;
};

} // namespace refblame::analyzer
