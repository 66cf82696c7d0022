// site_markers.hpp: reads the `// SITE: function` markers from a test target's source: the expected function and line of each call site.
#pragma once

#include <string>
#include <vector>

namespace refblame::symtest {

struct SiteMarker {
    std::string file; // as given to read_site_markers
    int line = 0;
    std::string function;
    // `// SITE-O0-LIBRARY:` at -O0 the address lies in out-of-line standard library code.
    bool library_at_o0 = false;
};

std::vector<SiteMarker> read_site_markers(const std::string &file);

// The marker at file:line, nullptr when none. Files compare by canonical path.
const SiteMarker *marker_at(const std::vector<SiteMarker> &markers, const std::string &file, int line);

} // namespace refblame::symtest
