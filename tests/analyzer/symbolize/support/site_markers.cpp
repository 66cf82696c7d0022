// site_markers.cpp: scanning source files for `// SITE:` / `// SITE-O0-LIBRARY:` markers.
#include "site_markers.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace refblame::symtest {

std::vector<SiteMarker> read_site_markers(const std::string &file)
{
    std::vector<SiteMarker> out;
    std::ifstream in(file);
    EXPECT_TRUE(in) << "cannot read " << file;
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
        for (auto [tag, library] : {std::pair{"// SITE: ", false}, std::pair{"// SITE-O0-LIBRARY: ", true}}) {
            auto at = text.find(tag);
            // Only at the end of a line of code (not in a comment describing the markers).
            auto code = text.find_first_not_of(" \t");
            if (at == std::string::npos || text.compare(code, 1, "*") == 0 || text.compare(code, 2, "/*") == 0 ||
                text.compare(code, 2, "//") == 0)
                continue;
            std::string name = text.substr(at + std::char_traits<char>::length(tag));
            while (!name.empty() && (name.back() == ' ' || name.back() == '\r'))
                name.pop_back();
            out.push_back(SiteMarker{file, line, name, library});
        }
    }
    return out;
}

const SiteMarker *marker_at(const std::vector<SiteMarker> &markers, const std::string &file, int line)
{
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(file, ec);
    for (const auto &m : markers)
        if (m.line == line && std::filesystem::weakly_canonical(m.file, ec) == canonical)
            return &m;
    return nullptr;
}

} // namespace refblame::symtest
