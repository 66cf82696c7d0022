// recording_info.cpp: reads the recorder's refblame-record.json (common/recording_info_file.hpp): how each recorded process ended.
#include "read/recording_info.hpp"

#include "recording_info_file.hpp"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <system_error>

namespace refblame::analyzer {

namespace fs = std::filesystem;

namespace {

fs::path find_info(const fs::path &trace)
{
    std::error_code ec;
    fs::path dir = fs::absolute(trace, ec).lexically_normal();
    if (ec)
        return {};
    if (!fs::is_directory(dir, ec))
        dir = dir.parent_path();
    for (int up = 0; up <= 4 && !dir.empty(); ++up) {
        fs::path candidate = dir / recording_info_file;
        if (fs::is_regular_file(candidate, ec))
            return candidate;
        if (dir == dir.root_path())
            break;
        dir = dir.parent_path();
    }
    return {};
}

} // namespace

RecordingInfo read_recording_info(const fs::path &trace)
{
    RecordingInfo info;
    const fs::path path = find_info(trace);
    if (path.empty())
        return info;
    try {
        std::ifstream in(path);
        const nlohmann::json j = nlohmann::json::parse(in);
        if (j.at("format").get<int>() != recording_info_format)
            throw std::runtime_error("format " + j.at("format").dump() + " is not " +
                                     std::to_string(recording_info_format));
        const std::string program = j.at("program").get<std::string>();
        for (const nlohmann::json &p : j.at("processes")) {
            ProcessEnd e;
            e.pid = p.at("pid").get<std::int32_t>();
            e.program = program;
            e.exit_status = p.at("exit_status").get<int>();
            e.signal = p.at("signal").get<int>();
            if (e.signal < 0 || e.signal > 255)
                throw std::runtime_error("signal " + std::to_string(e.signal) + " is out of range");
            info.ends.push_back(std::move(e));
        }
        if (const auto why = j.find("incomplete"); why != j.end())
            info.incomplete = why->get<std::string>();
    } catch (const std::exception &ex) {
        info.ends.clear();
        info.incomplete.clear();
        info.warnings.push_back(path.string() + ": cannot be used (" + ex.what() +
                                "): how the recorded program ended is unknown");
    }
    return info;
}

std::string incomplete_warning(const RecordingInfo &info)
{
    if (info.incomplete.empty())
        return "";
    return "the recording did not end cleanly: " + info.incomplete +
           ". The trace may lack its last events: references taken or dropped then are missing from the answer.";
}

std::string abnormal_end_warning(const ProcessEnd &end)
{
    if (!end.abnormal())
        return "";
    const char *abbrev = sigabbrev_np(end.signal);
    return "process " + std::to_string(end.pid) + " (" + end.program + ") ended abnormally: killed by signal " +
           std::to_string(end.signal) + (abbrev ? std::string(" (SIG") + abbrev + ")" : std::string()) +
           ". Its trace stops at its last recorded event: references it held then are reported as still "
           "held at the end of the trace, and operations it never finished are missing.";
}

} // namespace refblame::analyzer
