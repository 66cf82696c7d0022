// recording_info.cpp: writes TRACE/refblame-record.json (common/recording_info.hpp): how the recorded program ended.
#include "recording_info.hpp"

#include "recording_info_file.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace refblame::tracer {

std::string write_recording_info(const RecordResult &r)
{
    nlohmann::json info;
    info["format"] = recording_info_format;
    info["program"] = r.program;
    nlohmann::json processes = nlohmann::json::array();
    if (r.program_started && r.program_pid > 0)
        processes.push_back({{"pid", r.program_pid}, {"exit_status", r.exit_status}, {"signal", r.term_signal}});
    info["processes"] = std::move(processes);
    if (!r.incomplete.empty())
        info["incomplete"] = r.incomplete;
    const std::filesystem::path path = r.trace_dir / recording_info_file;
    std::ofstream out(path);
    out << info.dump(2) << "\n";
    out.close();
    if (!out)
        return "cannot write " + path.string();
    return "";
}

} // namespace refblame::tracer
