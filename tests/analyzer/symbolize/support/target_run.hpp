// target_run.hpp: runs a symbolizer test target and reads what it printed: its pid, the caller address of each acquisition, its module map.
#pragma once

#include "model/event.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace refblame::symtest {

struct TargetRun {
    std::int32_t pid = 0;
    std::vector<std::uint64_t> callers; // in execution order
    // As lttng-ust's statedump would record them: bin_info (+ build_id) per module.
    std::vector<analyzer::ModuleEvent> modules;
    int exit_status = -1;
};

// Runs `program args...` and parses its standard output. Fails the calling
// test (ADD_FAILURE) when the program does not exit 0.
TargetRun run_target(const std::string &program, const std::vector<std::string> &args = {});

// Runs a shell command line; returns its exit status and, when `out` is set, its standard output.
int run_command(const std::string &command, std::string *out = nullptr);

// 'text' quoted for /bin/sh.
std::string shell_quote(const std::string &text);

// The ModuleEvent (bin_info) of the module whose path ends with `suffix`; nullptr when none.
const analyzer::ModuleEvent *module_named(const TargetRun &run, const std::string &suffix);

} // namespace refblame::symtest
