// trace_salvage.hpp: when Babeltrace2 refuses a trace, finds which file is at fault and keeps the readable rest.
//
// src.ctf.fs opens a whole trace directory or nothing: one stream file cut
// mid-packet makes the whole trace unreadable. The salvage probes the
// metadata alone, then each stream file alone, and builds a shadow directory
// (symlinks in a scratch directory) holding the metadata and the files that
// open, so the rest of the trace is still read, with a warning per skipped file.
#pragma once

#include "read/trace_finder.hpp"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace refblame::analyzer {

struct Plugins;

// A private temporary directory, removed with everything in it on destruction.
class ScratchDir {
public:
    ScratchDir() = default;
    ~ScratchDir();
    ScratchDir(const ScratchDir &) = delete;
    ScratchDir &operator=(const ScratchDir &) = delete;

    // The directory (created on first use under $TMPDIR or /tmp).
    const std::filesystem::path &path();

private:
    std::filesystem::path path_;
};

struct Salvage {
    std::filesystem::path dir;         // what to read instead: a shadow of the trace's readable files
    std::vector<std::string> skipped;  // one line per skipped stream file, naming it and why
    std::string fatal;                 // non-empty: nothing of the trace is readable, and why
    // Shadow paths and the user's paths they stand for (to rewrite messages).
    std::vector<std::pair<std::string, std::string>> renames;
};

// `why`: Babeltrace2's reason for refusing `trace` (numbered `index`).
Salvage salvage_trace(const TraceDir &trace, std::size_t index, const std::string &why, const Plugins &plugins,
                      ScratchDir &scratch);

// A shadow of `trace` holding its metadata and only the stream files listed in `trace.streams`
// (named `name` in the scratch directory), to read a trace without some of its files.
std::filesystem::path shadow_trace(ScratchDir &scratch, const std::string &name, const TraceDir &trace);

// Replaces every shadow path in `message` by the user's path it stands for.
std::string unshadow(std::string message, const std::vector<std::pair<std::string, std::string>> &renames);

} // namespace refblame::analyzer
