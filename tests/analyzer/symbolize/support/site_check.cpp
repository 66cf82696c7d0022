// site_check.cpp: resolving a target run's callers and comparing them with the SITE markers of its sources.
#include "site_check.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

namespace refblame::symtest {

namespace fs = std::filesystem;

namespace {

std::string canonical(const std::string &p)
{
    std::error_code ec;
    return fs::weakly_canonical(p, ec).string();
}

bool ends_with(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

TargetKind c_target(const std::string &executable, bool o0)
{
    std::string dir = SYMTEST_SOURCES;
    return TargetKind{{dir + "/c_sites.c", dir + "/c_lib.c", dir + "/c_plugin.c"},
                      executable,
                      {{dir + "/c_lib.c", SYMTEST_CLIB}, {dir + "/c_plugin.c", SYMTEST_PLUGIN}},
                      o0};
}

TargetKind cxx_target(const std::string &executable, bool o0)
{
    return TargetKind{{std::string(SYMTEST_SOURCES) + "/cxx_sites.cpp"}, executable, {}, o0};
}

std::string describe(const analyzer::SymbolizedSite &s)
{
    std::ostringstream out;
    out << std::hex << "0x" << s.address << " = " << s.module << "+0x" << s.offset << std::dec << ": "
        << s.function << " at " << s.file << ":" << s.line << (s.resolved ? "" : " (unresolved)")
        << (s.in_library_code ? " (in library code)" : "");
    for (const auto &f : s.inline_chain)
        out << "\n    frame " << f.function << " at " << f.file << ":" << f.line;
    return out.str();
}

void expect_marked_sites(const TargetRun &run, analyzer::Symbolizer &sym, const TargetKind &kind)
{
    std::vector<SiteMarker> markers;
    for (const auto &src : kind.sources)
        for (auto &m : read_site_markers(src))
            markers.push_back(std::move(m));
    ASSERT_FALSE(markers.empty());
    ASSERT_FALSE(run.callers.empty());
    for (const auto &m : run.modules)
        sym.on_module(m);

    std::set<const SiteMarker *> hit;
    int library_sites = 0;
    for (auto caller : run.callers) {
        const analyzer::SymbolizedSite &s = sym.resolve(run.pid, caller);
        SCOPED_TRACE(describe(s));
        ASSERT_TRUE(s.resolved);
        ASSERT_FALSE(s.inline_chain.empty());
        EXPECT_TRUE(ends_with(s.inline_chain.front().file, "/refblame/ref.h"))
            << "the innermost frame of a refblame op is refblame's own header";
        if (s.in_library_code) {
            ++library_sites;
            EXPECT_TRUE(s.function.rfind("std::", 0) == 0 || s.function.rfind("__gnu_cxx::", 0) == 0);
            EXPECT_NE(s.file.find("/include/c++/"), std::string::npos);
            continue;
        }
        const SiteMarker *m = marker_at(markers, s.file, s.line);
        ASSERT_NE(m, nullptr) << "resolved to a line without a SITE marker";
        EXPECT_EQ(s.function, m->function);
        EXPECT_FALSE(kind.o0 && m->library_at_o0) << "expected library code at -O0";
        std::string module = kind.executable;
        for (const auto &[source, lib] : kind.source_modules)
            if (canonical(source) == canonical(m->file))
                module = lib;
        EXPECT_EQ(canonical(s.module), canonical(module));
        hit.insert(m);
    }
    int expected_library = 0;
    for (const auto &m : markers) {
        bool applies = !(kind.o0 && m.library_at_o0);
        expected_library += !applies;
        EXPECT_EQ(hit.count(&m), applies ? 1u : 0u) << m.file << ":" << m.line << " " << m.function;
    }
    EXPECT_EQ(library_sites, expected_library);
}

} // namespace refblame::symtest
