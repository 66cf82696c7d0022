// debug_lookup_test.cpp: where a module's symbols come from: the binary, .build-id trees, debug links, --debug-dir; build-ids must match.
#include "symbolize/debug_lookup.hpp"
#include "symbolize/elf_file.hpp"

#include "debug_files.hpp"
#include "target_run.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;
using namespace refblame::analyzer;
using namespace refblame::symtest;

std::vector<std::uint8_t> bytes(const std::string &hex)
{
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// The build-id of `program` as the loader saw it.
std::vector<std::uint8_t> build_id_of(const std::string &program)
{
    TargetRun run = run_target(program);
    return bytes(recorded_build_id(run, run.modules.empty() ? "" : run.modules.front().path));
}

DebugSearch only(std::vector<std::string> debug_dirs, std::vector<std::string> system_dirs = {})
{
    return DebugSearch{std::move(debug_dirs), std::move(system_dirs)};
}

TEST(DebugLookup, CandidatesAreBuildIdPathsFirstThenDebugLinkPlaces)
{
    auto c = debug_file_candidates("/opt/app/bin/app", {0xab, 0xcd, 0xef}, "app.debug",
                                   only({"/dbg"}, {"/usr/lib/debug"}));
    std::vector<std::string> expected{
        "/dbg/.build-id/ab/cdef.debug",        "/usr/lib/debug/.build-id/ab/cdef.debug",
        "/opt/app/bin/app.debug",              "/opt/app/bin/.debug/app.debug",
        "/dbg/opt/app/bin/app.debug",          "/usr/lib/debug/opt/app/bin/app.debug",
        "/dbg/app.debug",
    };
    EXPECT_EQ(c, expected);
}

TEST(DebugLookup, DebugLinkWithADirectoryIsIgnored)
{
    EXPECT_TRUE(debug_file_candidates("/bin/app", {}, "../../etc/passwd", only({"/dbg"})).empty());
}

TEST(DebugLookup, BinaryWithDwarfIsItsOwnDebugInfo)
{
    DebugFiles f = locate_debug_files({SYMTEST_C_O2, build_id_of(SYMTEST_C_O2), ""}, only({}));
    EXPECT_EQ(f.problem, DebugProblem::none);
    EXPECT_EQ(f.elf, SYMTEST_C_O2);
    EXPECT_EQ(f.debug, "");
}

TEST(DebugLookup, StrippedBinaryFindsTheFileItsDebugLinkNamesNextToItOrInDotDebug)
{
    TempDir dir;
    std::string app = make_stripped_copy(dir, SYMTEST_C_O2);
    fs::rename(dir / "app.debug", dir / "bin/app.debug");
    DebugFiles f = locate_debug_files({app, {}, ""}, only({}));
    EXPECT_EQ(f.problem, DebugProblem::none);
    EXPECT_EQ(f.elf, app);
    EXPECT_EQ(f.debug, dir / "bin/app.debug");

    fs::create_directories(dir.path() / "bin/.debug");
    fs::rename(dir / "bin/app.debug", dir / "bin/.debug/app.debug");
    EXPECT_EQ(locate_debug_files({app, {}, ""}, only({})).debug, dir / "bin/.debug/app.debug");
}

TEST(DebugLookup, StrippedBinaryFindsItsDebugFileMirroredUnderASystemDebugDir)
{
    TempDir dir;
    std::string app = make_stripped_copy(dir, SYMTEST_C_O2);
    fs::path mirrored = dir.path() / "sysdebug" / fs::path(app).parent_path().relative_path() / "app.debug";
    fs::create_directories(mirrored.parent_path());
    fs::rename(dir / "app.debug", mirrored);
    DebugFiles f = locate_debug_files({app, {}, ""}, only({}, {dir / "sysdebug"}));
    EXPECT_EQ(f.debug, mirrored.string());
    EXPECT_EQ(f.problem, DebugProblem::none);
}

TEST(DebugLookup, StrippedBinaryWithoutDebugFileHasNoSymbols)
{
    TempDir dir;
    std::string app = make_stripped_copy(dir, SYMTEST_C_O2);
    fs::remove(dir / "app.debug");
    DebugFiles f = locate_debug_files({app, {}, ""}, only({}));
    EXPECT_EQ(f.problem, DebugProblem::no_symbols);
    EXPECT_EQ(f.elf, app) << "exported symbols may still help";
}

TEST(DebugLookup, BinaryStrippedOfDebugInfoOnlyKeepsItsSymbolTable)
{
    TempDir dir;
    std::string app = dir / "app";
    fs::copy_file(SYMTEST_C_O2, app);
    objcopy("--strip-debug " + shell_quote(app));
    EXPECT_EQ(locate_debug_files({app, {}, ""}, only({})).problem, DebugProblem::no_debug_info);
}

TEST(DebugLookup, DeletedBinaryIsReadFromItsRecordedBuildsDebugFile)
{
    TempDir dir;
    std::string app = make_stripped_copy(dir, SYMTEST_C_O2);
    auto id = build_id_of(app);
    std::string root = place_by_build_id(dir, "root", build_id_hex(id), dir / "app.debug");
    fs::remove(app);
    DebugFiles f = locate_debug_files({app, id, "app.debug"}, only({root}));
    EXPECT_EQ(f.problem, DebugProblem::none);
    EXPECT_EQ(f.elf, root + "/.build-id/" + build_id_hex(id).substr(0, 2) + "/" + build_id_hex(id).substr(2) + ".debug");

    DebugFiles gone = locate_debug_files({app, id, "app.debug"}, only({}));
    EXPECT_EQ(gone.problem, DebugProblem::missing);
    EXPECT_EQ(gone.elf, "");
}

TEST(DebugLookup, BinaryWhoseBuildIdDiffersFromTheRecordedOneIsNotUsed)
{
    auto recorded = build_id_of(SYMTEST_C_O0);
    DebugFiles f = locate_debug_files({SYMTEST_C_O2, recorded, ""}, only({}));
    EXPECT_EQ(f.problem, DebugProblem::build_id_mismatch);
    EXPECT_EQ(f.elf, "");
    EXPECT_EQ(f.build_id, recorded);
    EXPECT_EQ(f.on_disk_build_id, build_id_of(SYMTEST_C_O2));
}

TEST(DebugLookup, NonElfFileAndPseudoPathsAreTold)
{
    TempDir dir;
    std::ofstream(dir / "script") << "#!/bin/sh\n";
    EXPECT_EQ(locate_debug_files({dir / "script", {}, ""}, only({})).problem, DebugProblem::not_elf);
    EXPECT_EQ(locate_debug_files({"[vdso]", {}, ""}, only({})).problem, DebugProblem::no_file);
    EXPECT_EQ(locate_debug_files({"", {}, ""}, only({})).problem, DebugProblem::no_file);
}

} // namespace
