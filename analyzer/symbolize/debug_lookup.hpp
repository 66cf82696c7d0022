// debug_lookup.hpp: finds what can symbolize a recorded module: the binary, its debug file by build-id or debug link (--debug-dir, /usr/lib/debug), with build-id checks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace refblame::analyzer {

// A module as the trace recorded it.
struct ModuleIdentity {
    std::string path;
    std::vector<std::uint8_t> build_id; // empty when none was recorded
    std::string debug_link;             // "" when none was recorded
};

// Where debug files are searched: `debug_dirs` (--debug-dir) first, then the
// system directories. Each is a root like /usr/lib/debug: DIR/.build-id/xx/rest.debug,
// DIR/<binary's directory>/<debug link>, and for --debug-dir also DIR/<debug link>.
struct DebugSearch {
    std::vector<std::string> debug_dirs;
    std::vector<std::string> system_dirs{"/usr/lib/debug"};
};

enum class DebugProblem {
    none,
    no_file,           // not a file ([vdso], anonymous code): nothing to look up
    missing,           // the binary is gone and no debug file matched its build-id
    not_elf,           // the path is not a readable ELF file
    build_id_mismatch, // the binary changed since recording and no debug file matched
    no_debug_info,     // symbol table only: function names, no file:line, no inline frames
    no_symbols,        // stripped: neither DWARF nor a symbol table
};

struct DebugFiles {
    std::string elf;   // the file libdwfl opens as the module ("": nothing usable)
    std::string debug; // separate file holding its DWARF ("": in `elf`, or none)
    std::uint64_t first_load_vaddr = 0; // of `elf`: recorded baddr corresponds to this address
    DebugProblem problem = DebugProblem::none;
    std::vector<std::uint8_t> build_id;         // the build-id symbols must match (recorded, else on disk)
    std::vector<std::uint8_t> on_disk_build_id; // of the file now at the recorded path
};

// The debug files to try for a module, in order (build-id first, then debug link).
std::vector<std::string> debug_file_candidates(const std::string &path, const std::vector<std::uint8_t> &build_id,
                                               const std::string &debug_link, const DebugSearch &search);

DebugFiles locate_debug_files(const ModuleIdentity &module, const DebugSearch &search);

} // namespace refblame::analyzer
