// recording_info.hpp: reads the recorder's refblame-record.json (common/recording_info_file.hpp): how each recorded process ended.
#pragma once

#include "model/report.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace refblame::analyzer {

struct RecordingInfo {
    std::vector<ProcessEnd> ends;
    std::vector<std::string> warnings; // the file exists but could not be used: why
    std::string incomplete;            // why the recorder says the trace may lack its last events ("": it does not)
};

// Looks for the file in `trace` (a directory or a trace's metadata file) and
// up to four directories above it (a per-process trace below a recording).
// No file: no ends and no warning (any LTTng output is a valid TRACE).
RecordingInfo read_recording_info(const std::filesystem::path &trace);

// One line for the report saying the trace may lack its last events, and why; "" when the recorder did not say so.
std::string incomplete_warning(const RecordingInfo &info);

// One line for the report: "process 1234 (prog) was killed by signal 6 (SIGABRT): ..."; "" when it ended normally.
std::string abnormal_end_warning(const ProcessEnd &end);

} // namespace refblame::analyzer
