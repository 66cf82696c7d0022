// missing_symbols.hpp: tallies the sites that lacked symbols, per module and per process, and words one warning each with the fix.
#pragma once

#include "symbolize/debug_lookup.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace refblame::analyzer {

class MissingSymbols {
public:
    // One site of module `path` symbolized without (full) symbols.
    // `open_error`: libdwfl could not read the file; `uncovered`: the module's
    // symbols did not cover the address.
    void module_site(const std::string &path, const DebugFiles &files, const std::string &open_error,
                     bool uncovered);
    // One address of process `pid` in no recorded module; `has_modules`: the
    // process had a module map at all.
    void unmapped_site(std::int32_t pid, bool has_modules);

    // One line per module / process, in a stable order.
    std::vector<std::string> warnings() const;

private:
    struct Module {
        DebugFiles files;
        std::string open_error;
        std::uint64_t sites = 0;
        std::uint64_t uncovered = 0;
    };
    struct Process {
        bool has_modules = false;
        std::uint64_t addresses = 0;
    };
    std::map<std::string, Module> modules_; // by path + build-id
    std::map<std::int32_t, Process> processes_;
};

} // namespace refblame::analyzer
