// output_dir.cpp: where a recording goes: the default name, checks before anything starts, and the per-process traces found after.
#include "output_dir.hpp"

#include "process_tree.hpp"
#include "user_error.hpp"

#include <ctime>
#include <set>
#include <system_error>
#include <unistd.h>

namespace refblame::tracer {

namespace fs = std::filesystem;

fs::path default_output_dir(const std::string &program, std::chrono::system_clock::time_point when)
{
    std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    std::string base = fs::path(program).filename().string();
    if (base.empty())
        base = "program";
    return fs::absolute("refblame-" + base + "-" + stamp);
}

void check_output_dir(const fs::path &dir, bool force)
{
    std::error_code ec;
    fs::file_status st = fs::status(dir, ec);
    if (ec == std::errc::not_a_directory)
        throw UserError("output directory " + dir.string() + ": a parent of it is not a directory; choose another -o DIR");
    if (ec && ec != std::errc::no_such_file_or_directory)
        throw UserError("output directory " + dir.string() + ": " + ec.message());
    if (!fs::exists(st)) {
        // It will be created: its nearest existing ancestor must be a writable directory.
        fs::path parent = dir.parent_path();
        while (!parent.empty() && !fs::exists(parent, ec) && parent != parent.parent_path())
            parent = parent.parent_path();
        if (!fs::is_directory(parent, ec))
            throw UserError("output directory " + dir.string() + ": " + parent.string() + " is not a directory");
        if (access(parent.c_str(), W_OK | X_OK) != 0)
            throw UserError("output directory " + dir.string() + ": cannot create it, " + parent.string() +
                            " is not writable; choose another -o DIR");
        return;
    }
    if (!fs::is_directory(st))
        throw UserError("output directory " + dir.string() + " exists and is not a directory; choose another -o DIR");
    if (access(dir.c_str(), W_OK | X_OK) != 0)
        throw UserError("output directory " + dir.string() + " is not writable; choose another -o DIR");
    if (!force && !fs::is_empty(dir, ec))
        throw UserError("output directory " + dir.string() +
                        " is not empty; choose another -o DIR, or pass --force to replace the trace in it");
}

std::string prepare_output_dir(const fs::path &dir, bool force)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw UserError("output directory " + dir.string() + ": cannot create it: " + ec.message());
    std::string note;
    fs::path old = dir / "ust";
    if (force && fs::exists(old, ec)) {
        fs::remove_all(old, ec);
        if (ec)
            throw UserError("output directory " + dir.string() + ": cannot remove the previous trace " + old.string() +
                            ": " + ec.message());
        note = "removed the previous trace " + old.string();
    }
    return note;
}

std::size_t count_processes(const fs::path &dir)
{
    std::set<std::string> processes;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        if (it->path().filename() != "metadata" || !it->is_regular_file(ec))
            continue;
        std::string trace = it->path().parent_path().filename().string();
        pid_t pid = pid_of_trace_dir(trace);
        processes.insert(pid > 0 ? std::to_string(pid) : it->path().parent_path().string());
    }
    return processes.size();
}

} // namespace refblame::tracer
