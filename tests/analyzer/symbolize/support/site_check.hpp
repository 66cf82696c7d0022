// site_check.hpp: the check shared by the symbolizer tests: each caller of a target run resolves to a marked site, and every marked site is hit.
#pragma once

#include "site_markers.hpp"
#include "target_run.hpp"

#include "symbolize/symbolizer.hpp"

#include <string>
#include <utility>
#include <vector>

namespace refblame::symtest {

struct TargetKind {
    std::vector<std::string> sources; // files whose markers apply
    std::string executable;           // the module the sources are built into, except:
    std::vector<std::pair<std::string, std::string>> source_modules; // (source, module) for library sources
    bool o0 = false;
};

// The C and C++ targets: markers from targets/c_sites.c (+ c_lib.c, c_plugin.c) or targets/cxx_sites.cpp.
TargetKind c_target(const std::string &executable, bool o0);
TargetKind cxx_target(const std::string &executable, bool o0);

// Feeds run's modules to `sym`, resolves every caller and checks it against
// the markers (function, file:line, module; innermost frame in refblame's
// header; -O0 library sites). Every marker applicable at this level is hit.
void expect_marked_sites(const TargetRun &run, analyzer::Symbolizer &sym, const TargetKind &kind);

std::string describe(const analyzer::SymbolizedSite &s);

// Options with no system debug directory: a test sees only the debug files it sets up.
inline analyzer::SymbolizerOptions isolated(std::vector<std::string> debug_dirs = {})
{
    analyzer::SymbolizerOptions o;
    o.debug_dirs = std::move(debug_dirs);
    o.system_debug_dirs = {};
    return o;
}

} // namespace refblame::symtest
