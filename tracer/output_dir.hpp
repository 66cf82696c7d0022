// output_dir.hpp: where a recording goes: the default name, checks before anything starts, and the per-process traces found after.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

namespace refblame::tracer {

// ./refblame-<program basename>-<YYYYMMDD-HHMMSS> (local time), made absolute.
std::filesystem::path default_output_dir(const std::string &program, std::chrono::system_clock::time_point when);

// Checks without changing anything: `dir` is absent, or an empty directory,
// or (with force) any directory. Throws UserError naming the problem.
void check_output_dir(const std::filesystem::path &dir, bool force);

// Creates `dir` (and parents). With force, removes what an earlier
// recording left in it (DIR/ust), so two recordings never mix. Returns a note
// on what it removed, empty when nothing.
std::string prepare_output_dir(const std::filesystem::path &dir, bool force);

// The number of processes with a trace below `dir`: per-PID buffers give
// one CTF trace (one `metadata` file) per process, and two when it called
// exec (before and after: same pid, so counted once).
std::size_t count_processes(const std::filesystem::path &dir);

} // namespace refblame::tracer
