// symbolizer_test.cpp: real C and C++ targets at -O0 and -O2 (PIE, non-PIE, shared and dlopen'd libraries): each caller names the marked user function and line.
#include "symbolize/symbolizer.hpp"

#include "site_check.hpp"
#include "target_run.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace {

using namespace refblame::analyzer;
using namespace refblame::symtest;

struct Variant {
    const char *name;
    const char *program;
    bool cxx;
    bool o0;
    bool pie;
};

void PrintTo(const Variant &v, std::ostream *os)
{
    *os << v.name;
}

class TargetSites : public ::testing::TestWithParam<Variant> {};

TEST_P(TargetSites, EveryCallerNamesTheMarkedUserFunctionAndLine)
{
    const Variant &v = GetParam();
    TargetRun run = v.cxx ? run_target(v.program) : run_target(v.program, {SYMTEST_PLUGIN});
    Symbolizer sym(isolated());
    expect_marked_sites(run, sym, v.cxx ? cxx_target(v.program, v.o0) : c_target(v.program, v.o0));
    EXPECT_TRUE(sym.warnings().empty()) << sym.warnings().front();
}

TEST_P(TargetSites, ExecutableIsRecordedAsPicExactlyWhenBuiltAsPie)
{
    const Variant &v = GetParam();
    TargetRun run = run_target(v.program);
    ASSERT_FALSE(run.modules.empty());
    EXPECT_EQ(run.modules.front().is_pic, v.pie) << run.modules.front().path;
}

INSTANTIATE_TEST_SUITE_P(, TargetSites,
                         ::testing::Values(Variant{"C_O0_pie", SYMTEST_C_O0, false, true, true},
                                           Variant{"C_O2_pie", SYMTEST_C_O2, false, false, true},
                                           Variant{"C_O2_non_pie", SYMTEST_C_O2_NOPIE, false, false, false},
                                           Variant{"Cxx_O0_pie", SYMTEST_CXX_O0, true, true, true},
                                           Variant{"Cxx_O2_pie", SYMTEST_CXX_O2, true, false, true}),
                         [](const auto &info) { return std::string(info.param.name); });

// Whether `nm` lists a symbol containing `name` and `clone` (a GCC clone such as .constprop.0).
bool has_clone(const std::string &program, const std::string &name, const std::string &clone)
{
    std::string symbols;
    EXPECT_EQ(run_command("nm " + shell_quote(program), &symbols), 0);
    std::istringstream lines(symbols);
    for (std::string line; std::getline(lines, line);)
        if (line.find(name) != std::string::npos && line.find(clone) != std::string::npos)
            return true;
    return false;
}

// The -O2 targets must really contain the GCC clones the markers name by their source name.
TEST(GccClones, O2TargetsReallyContainClonesOfStaticFunctions)
{
    EXPECT_TRUE(has_clone(SYMTEST_C_O2, "pin_many", ".constprop."));
    EXPECT_TRUE(has_clone(SYMTEST_C_O2, "pin_request", ".isra."));
    EXPECT_TRUE(has_clone(SYMTEST_CXX_O2, "take_n", ".constprop."));
}

TEST(Symbolizer, SameAddressIsSymbolizedOnceAndReturnsTheCachedSite)
{
    TargetRun run = run_target(SYMTEST_C_O2);
    Symbolizer sym(isolated());
    for (const auto &m : run.modules)
        sym.on_module(m);
    ASSERT_FALSE(run.callers.empty());
    const SymbolizedSite &a = sym.resolve(run.pid, run.callers.front());
    const SymbolizedSite &b = sym.resolve(run.pid, run.callers.front());
    EXPECT_EQ(&a, &b);
    EXPECT_TRUE(a.resolved);
}

TEST(Symbolizer, ResolveAtTimeUsesTheLibraryMappedThenWhenAnAddressRangeWasReused)
{
    TargetRun run = run_target(SYMTEST_C_O2, {SYMTEST_PLUGIN});
    const ModuleEvent *plugin = module_named(run, "libsymtest_plugin.so");
    const ModuleEvent *clib = module_named(run, "libsymtest_clib.so");
    ASSERT_TRUE(plugin && clib);
    // Pretend the plugin was unloaded at t=100 and libsymtest_clib loaded at
    // the plugin's address at t=200: the plugin's caller belongs to the plugin before.
    Symbolizer sym(isolated());
    for (const auto &m : run.modules)
        if (m.path != clib->path)
            sym.on_module(m);
    ModuleEvent unload;
    unload.kind = ModuleEvent::Kind::unload;
    unload.time_ns = 100;
    unload.pid = run.pid;
    unload.baddr = plugin->baddr;
    sym.on_module(unload);
    ModuleEvent reload = *clib;
    reload.kind = ModuleEvent::Kind::load;
    reload.time_ns = 200;
    reload.baddr = plugin->baddr;
    sym.on_module(reload);

    std::uint64_t plugin_caller = 0;
    for (auto c : run.callers)
        if (c >= plugin->baddr && c < plugin->baddr + plugin->memsz)
            plugin_caller = c;
    ASSERT_NE(plugin_caller, 0u);
    EXPECT_EQ(sym.resolve(run.pid, plugin_caller, 50).function, "plugin_pin");
    EXPECT_EQ(sym.resolve(run.pid, plugin_caller, 50).module, plugin->path);
    EXPECT_EQ(sym.resolve(run.pid, plugin_caller, 300).module, clib->path);
    EXPECT_EQ(sym.resolve(run.pid, plugin_caller).module, clib->path) << "without a time: the latest mapping";
}

} // namespace
