// read_graph_test.cpp: the reader loads Babeltrace2's ctf plugin alone, unless BABELTRACE_PLUGIN_PATH asks to search.
#include "read/read_graph.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace refblame::analyzer {
namespace {

// Where babeltrace2.pc says the plugins are (LIBDIR/babeltrace2/plugins).
const std::string plugin_dir = REFBLAME_BT_PLUGIN_DIR;

std::vector<std::string> &opened()
{
    static std::vector<std::string> files;
    return files;
}

// Plugin files Plugins() opened: 1 ctf, 2 text, 4 utils (Babeltrace2 closes again the ones it passed over).
int load_and_report()
{
    opened().clear();
    Plugins p;
    const auto was_opened = [](const char *name) {
        std::error_code ec;
        for (const std::string &f : opened())
            if (std::filesystem::equivalent(f, plugin_dir + "/" + name, ec))
                return true;
        return false;
    };
    const int seen = (was_opened("babeltrace-plugin-ctf.so") ? 1 : 0) |
                     (was_opened("babeltrace-plugin-text.so") ? 2 : 0) |
                     (was_opened("babeltrace-plugin-utils.so") ? 4 : 0);
    const bool ctf = p.ctf && std::string_view(bt_plugin_get_name(p.ctf.get())) == "ctf";
    return ctf ? seen : 8;
}

TEST(Plugins, LoadsTheCtfPluginFromItsFileAndNoOther)
{
    EXPECT_EXIT(
        {
            unsetenv("BABELTRACE_PLUGIN_PATH");
            std::exit(load_and_report());
        },
        testing::ExitedWithCode(1), "");
}

TEST(Plugins, SearchesLikeBabeltraceWhenBabeltracePluginPathIsSet)
{
    // The directories of BABELTRACE_PLUGIN_PATH come first: bt_plugin_find looks through every plugin of them.
    EXPECT_EXIT(
        {
            setenv("BABELTRACE_PLUGIN_PATH", plugin_dir.c_str(), 1);
            std::exit(load_and_report());
        },
        testing::ExitedWithCode(1 | 2 | 4), "");
}

} // namespace
} // namespace refblame::analyzer

// Every dlopen of this test program (GModule's, which loads Babeltrace2's plugins, included: the program
// exports it) is noted, then done by the C library's.
extern "C" void *dlopen(const char *file, int mode)
{
    using Dlopen = void *(*)(const char *, int);
    static const Dlopen real = reinterpret_cast<Dlopen>(dlsym(RTLD_NEXT, "dlopen"));
    if (file)
        refblame::analyzer::opened().emplace_back(file);
    return real(file, mode);
}
