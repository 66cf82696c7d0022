// crash_guard.hpp: runs a query in a child process, so that a crash inside a library (Babeltrace2 2.0 asserts or
// faults on some damaged CTF streams) becomes a clear message and exit status 2 instead of a core dump.
#pragma once

#include <functional>
#include <string>

namespace refblame::cli {

// Runs `work` in a forked child and returns its exit status. UserError in the
// child: its message, status 2. A child killed by a crash signal (SIGSEGV,
// SIGABRT, SIGBUS, SIGFPE, SIGILL): a message naming `trace`, status 2. Other
// signals (SIGINT, SIGTERM, SIGPIPE, ...) end this process the same way.
int run_guarded(const std::string &trace, const std::function<int()> &work);

} // namespace refblame::cli
