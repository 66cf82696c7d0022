// trace_finder.hpp: finds every CTF trace (a directory holding a `metadata` file) below the path a user gave.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace refblame::analyzer {

// One CTF trace: its directory, its metadata file and its data stream files.
struct TraceDir {
    std::filesystem::path dir;
    std::vector<std::filesystem::path> streams; // regular files beside `metadata`, sorted
};

// Every CTF trace at or below `path` (a directory, or a trace's `metadata`
// file), sorted by directory. Throws UserError naming `path` when it does not
// exist, is not readable, or holds no CTF trace (saying what it does hold).
std::vector<TraceDir> find_traces(const std::filesystem::path &path);

} // namespace refblame::analyzer
