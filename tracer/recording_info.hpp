// recording_info.hpp: writes TRACE/refblame-record.json (common/recording_info.hpp): how the recorded program ended.
#pragma once

#include "recorder.hpp"

namespace refblame::tracer {

// Writes the file into result.trace_dir; a failure to write is not fatal
// (the trace is complete without it): it returns the problem, "" when written.
std::string write_recording_info(const RecordResult &result);

} // namespace refblame::tracer
