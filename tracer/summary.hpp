// summary.hpp: what `refblame record` prints when it is done: where the trace is, what it holds, what was lost, what to run next.
#pragma once

#include "recorder.hpp"

#include <string>

namespace refblame::tracer {

std::string format_summary(const RecordResult &result);

// `s` quoted for a POSIX shell when it needs it.
std::string shell_quote(const std::string &s);

} // namespace refblame::tracer
