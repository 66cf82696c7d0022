// symbolizer_missing_test.cpp: stripped, deleted, changed and unmapped binaries: module+offset, one warning with the fix, debug files found through --debug-dir.
#include "symbolize/symbolizer.hpp"

#include "debug_files.hpp"
#include "site_check.hpp"
#include "target_run.hpp"
#include "temp_dir.hpp"
#include "user_error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace refblame::analyzer;
using namespace refblame::symtest;

// Every caller in module `path` is unresolved and shown as module+offset; the others still resolve.
void expect_module_unresolved(const TargetRun &run, Symbolizer &sym, const std::string &path)
{
    const ModuleEvent *exe = module_named(run, path);
    ASSERT_NE(exe, nullptr);
    int in_module = 0;
    for (auto caller : run.callers) {
        const SymbolizedSite &s = sym.resolve(run.pid, caller);
        SCOPED_TRACE(describe(s));
        if (caller >= exe->baddr && caller < exe->baddr + exe->memsz) {
            ++in_module;
            EXPECT_FALSE(s.resolved);
            EXPECT_EQ(s.module, path);
            EXPECT_EQ(s.offset, caller - exe->baddr);
            EXPECT_TRUE(s.function.empty());
        } else {
            EXPECT_TRUE(s.resolved);
        }
    }
    EXPECT_GT(in_module, 1);
}

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

TEST(SymbolizerMissing, StrippedExecutableWithoutDebugFileShowsModuleOffsetAndOneWarning)
{
    TempDir dir;
    std::string app = make_stripped_copy(dir, SYMTEST_C_O2);
    TargetRun run = run_target(app, {SYMTEST_PLUGIN});
    Symbolizer sym(isolated());
    for (const auto &m : run.modules)
        sym.on_module(m);
    expect_module_unresolved(run, sym, app);
    auto warnings = sym.warnings();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(contains(warnings[0], app)) << warnings[0];
    EXPECT_TRUE(contains(warnings[0], "--debug-dir")) << warnings[0];
    EXPECT_TRUE(contains(warnings[0], ".build-id/" + recorded_build_id(run, app).substr(0, 2) + "/")) << warnings[0];
}

TEST(SymbolizerMissing, StrippedExecutableFindsItsDebugFileByBuildIdInDebugDir)
{
    TempDir dir;
    std::string app = make_stripped_copy(dir, SYMTEST_C_O2);
    TargetRun run = run_target(app, {SYMTEST_PLUGIN});
    std::string id = recorded_build_id(run, app);
    ASSERT_FALSE(id.empty());
    std::string root = place_by_build_id(dir, "debug-root", id, dir / "app.debug");
    fs::remove(dir / "app.debug"); // not by its debug link: by build-id only
    Symbolizer sym(isolated({root}));
    expect_marked_sites(run, sym, c_target(app, false));
    EXPECT_TRUE(sym.warnings().empty());
}

TEST(SymbolizerMissing, StrippedExecutableFindsItsDebugFileByDebugLinkInDebugDir)
{
    TempDir dir;
    std::string app = make_stripped_copy(dir, SYMTEST_CXX_O2);
    TargetRun run = run_target(app);
    fs::create_directories(dir.path() / "links");
    fs::rename(dir / "app.debug", dir / "links/app.debug");
    Symbolizer sym(isolated({dir / "links"}));
    expect_marked_sites(run, sym, cxx_target(app, false));
    EXPECT_TRUE(sym.warnings().empty());
}

TEST(SymbolizerMissing, DebugFileOfAnotherBuildIsNotUsed)
{
    TempDir dir;
    std::string app = make_stripped_copy(dir, SYMTEST_C_O2);
    TargetRun run = run_target(app, {SYMTEST_PLUGIN});
    // The -O0 build's debug info, filed under the -O2 build's build-id and debug link.
    objcopy("--only-keep-debug " + shell_quote(SYMTEST_C_O0) + " " + shell_quote(dir / "other.debug"));
    std::string root = place_by_build_id(dir, "debug-root", recorded_build_id(run, app), dir / "other.debug");
    fs::copy_file(dir / "other.debug", dir / "app.debug", fs::copy_options::overwrite_existing);
    Symbolizer sym(isolated({root, dir.path().string()}));
    for (const auto &m : run.modules)
        sym.on_module(m);
    expect_module_unresolved(run, sym, app);
    EXPECT_EQ(sym.warnings().size(), 1u);
}

TEST(SymbolizerMissing, DeletedBinaryShowsModuleOffsetAndWarnsOnceWithTheFix)
{
    TempDir dir;
    std::string app = dir / "app";
    fs::copy_file(SYMTEST_C_O2, app);
    TargetRun run = run_target(app, {SYMTEST_PLUGIN});
    fs::remove(app);
    Symbolizer sym(isolated());
    for (const auto &m : run.modules)
        sym.on_module(m);
    expect_module_unresolved(run, sym, app);
    auto warnings = sym.warnings();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(contains(warnings[0], app + ": not found")) << warnings[0];
    EXPECT_TRUE(contains(warnings[0], "--debug-dir")) << warnings[0];
}

TEST(SymbolizerMissing, BinaryChangedSinceRecordingIsReportedNotUsed)
{
    TempDir dir;
    std::string app = dir / "app";
    fs::copy_file(SYMTEST_C_O2, app);
    TargetRun run = run_target(app, {SYMTEST_PLUGIN});
    fs::copy_file(SYMTEST_C_O0, app, fs::copy_options::overwrite_existing); // rebuilt since
    Symbolizer sym(isolated());
    for (const auto &m : run.modules)
        sym.on_module(m);
    expect_module_unresolved(run, sym, app);
    auto warnings = sym.warnings();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(contains(warnings[0], "changed since recording")) << warnings[0];
    EXPECT_TRUE(contains(warnings[0], recorded_build_id(run, app))) << warnings[0];
}

TEST(SymbolizerMissing, ChangedBinaryResolvesThroughTheRecordedBuildsDebugFile)
{
    TempDir dir;
    std::string app = dir / "app";
    fs::copy_file(SYMTEST_C_O2, app);
    TargetRun run = run_target(app, {SYMTEST_PLUGIN});
    objcopy("--only-keep-debug " + shell_quote(app) + " " + shell_quote(dir / "app.debug"));
    fs::copy_file(SYMTEST_C_O0, app, fs::copy_options::overwrite_existing);
    std::string root = place_by_build_id(dir, "debug-root", recorded_build_id(run, app), dir / "app.debug");
    Symbolizer sym(isolated({root}));
    expect_marked_sites(run, sym, c_target(app, false));
    EXPECT_TRUE(sym.warnings().empty());
}

TEST(SymbolizerMissing, BinaryWithSymbolTableOnlyNamesTheEnclosingFunctionWithoutLineAndWarns)
{
    TempDir dir;
    std::string app = dir / "app";
    fs::copy_file(SYMTEST_C_O2, app);
    objcopy("--strip-debug " + shell_quote(app));
    TargetRun run = run_target(app, {SYMTEST_PLUGIN});
    Symbolizer sym(isolated());
    for (const auto &m : run.modules)
        sym.on_module(m);
    const ModuleEvent *exe = module_named(run, app);
    ASSERT_NE(exe, nullptr);
    std::set<std::string> functions;
    for (auto caller : run.callers) {
        const SymbolizedSite &s = sym.resolve(run.pid, caller);
        SCOPED_TRACE(describe(s));
        if (s.module != app)
            continue;
        EXPECT_TRUE(s.resolved);
        EXPECT_EQ(s.file, "");
        EXPECT_EQ(s.line, 0);
        functions.insert(s.function);
    }
    // c_sites.c's out-of-line functions at -O2, clones by their source name;
    // grab() is inlined into map_twice(), which only DWARF could tell.
    EXPECT_EQ(functions, (std::set<std::string>{"map_page", "pin_many", "pin_request", "map_twice"}));
    auto warnings = sym.warnings();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(contains(warnings[0], app + ": no debug info")) << warnings[0];
}

TEST(SymbolizerMissing, AddressesOutsideCodeAreUnresolvedNotNamedAfterNearbySymbols)
{
    TargetRun run = run_target(SYMTEST_C_O2);
    const ModuleEvent *exe = module_named(run, "symtest_c_O2");
    ASSERT_NE(exe, nullptr);
    Symbolizer sym(isolated());
    for (const auto &m : run.modules)
        sym.on_module(m);
    for (std::uint64_t address : {exe->baddr, exe->baddr + 1, exe->baddr + exe->memsz - 1}) {
        const SymbolizedSite &s = sym.resolve(run.pid, address);
        SCOPED_TRACE(describe(s));
        EXPECT_FALSE(s.resolved);
        EXPECT_EQ(s.module, exe->path);
        EXPECT_EQ(s.offset, address - exe->baddr);
    }
    const SymbolizedSite &outside = sym.resolve(run.pid, 16);
    EXPECT_FALSE(outside.resolved);
    EXPECT_EQ(outside.module, "");
}

TEST(SymbolizerMissing, AddressOfAProcessWithoutModuleMapIsShownRawWithAWarning)
{
    Symbolizer sym(isolated());
    const SymbolizedSite &s = sym.resolve(4242, 0x401234);
    EXPECT_FALSE(s.resolved);
    EXPECT_EQ(s.module, "");
    EXPECT_EQ(s.offset, 0x401234u);
    auto warnings = sym.warnings();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(contains(warnings[0], "process 4242")) << warnings[0];
    EXPECT_TRUE(contains(warnings[0], "refblame record")) << warnings[0];
}

TEST(SymbolizerMissing, DebugDirThatDoesNotExistIsAUserError)
{
    TempDir dir;
    EXPECT_THROW(Symbolizer(std::vector<std::string>{dir / "nope"}), refblame::UserError);
}

} // namespace
