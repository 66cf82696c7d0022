// debug_files.cpp: building stripped binaries and debug-file trees with objcopy for the symbolizer tests.
#include "debug_files.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

namespace refblame::symtest {

namespace fs = std::filesystem;

void objcopy(const std::string &args)
{
    std::string out;
    ASSERT_EQ(run_command(std::string(SYMTEST_OBJCOPY) + " " + args + " 2>&1", &out), 0) << args << "\n" << out;
}

std::string make_stripped_copy(const TempDir &dir, const std::string &program)
{
    fs::create_directories(dir.path() / "bin");
    std::string app = dir / "bin/app";
    fs::copy_file(program, app);
    objcopy("--only-keep-debug " + shell_quote(app) + " " + shell_quote(dir / "app.debug"));
    objcopy("--strip-all " + shell_quote(app));
    objcopy("--add-gnu-debuglink=" + shell_quote(dir / "app.debug") + " " + shell_quote(app));
    return app;
}

std::string place_by_build_id(const TempDir &dir, const std::string &root, const std::string &build_id,
                              const std::string &debug_file)
{
    EXPECT_GE(build_id.size(), 4u);
    fs::path target = dir.path() / root / ".build-id" / build_id.substr(0, 2) / (build_id.substr(2) + ".debug");
    fs::create_directories(target.parent_path());
    fs::copy_file(debug_file, target, fs::copy_options::overwrite_existing);
    return (dir.path() / root).string();
}

std::string recorded_build_id(const TargetRun &run, const std::string &path)
{
    for (const auto &m : run.modules) {
        if (m.kind != analyzer::ModuleEvent::Kind::build_id || m.path != path)
            continue;
        std::string out;
        char buf[3];
        for (auto b : m.build_id) {
            std::snprintf(buf, sizeof buf, "%02x", b);
            out += buf;
        }
        return out;
    }
    return {};
}

} // namespace refblame::symtest
