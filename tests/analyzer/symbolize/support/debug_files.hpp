// debug_files.hpp: test fixtures for separate debug info: objcopy, stripped copies, .build-id trees, build-ids as the target itself reports them.
#pragma once

#include "target_run.hpp"
#include "temp_dir.hpp"

#include <string>

namespace refblame::symtest {

// Runs SYMTEST_OBJCOPY with `args`; fails the test when it fails.
void objcopy(const std::string &args);

// Copies `program` to dir/bin/app, splits its DWARF into dir/app.debug, strips
// it (no symbol table either) and links the debug file by name (.gnu_debuglink).
std::string make_stripped_copy(const TempDir &dir, const std::string &program);

// Files `debug_file` as dir/<root>/.build-id/xx/rest.debug; returns dir/<root>.
std::string place_by_build_id(const TempDir &dir, const std::string &root, const std::string &build_id,
                              const std::string &debug_file);

// The build-id (hex) the module at `path` carried in memory when the target ran ("" when none).
std::string recorded_build_id(const TargetRun &run, const std::string &path);

} // namespace refblame::symtest
