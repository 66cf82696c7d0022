// trace_finder.cpp: walks the user's TRACE path and collects the CTF trace directories below it.
#include "read/trace_finder.hpp"

#include "user_error.hpp"

#include <algorithm>
#include <system_error>

namespace refblame::analyzer {

namespace fs = std::filesystem;

namespace {

bool is_regular(const fs::path &p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

TraceDir describe(const fs::path &dir)
{
    TraceDir t{dir, {}};
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path &p = it->path();
        const std::string name = p.filename().string();
        // LTTng writes data stream files next to `metadata`; hidden files are
        // not streams (src.ctf.fs skips them too).
        if (name != "metadata" && !name.starts_with(".") && is_regular(p))
            t.streams.push_back(p);
    }
    std::sort(t.streams.begin(), t.streams.end());
    return t;
}

} // namespace

std::vector<TraceDir> find_traces(const fs::path &path)
{
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st))
        throw UserError(path.string() + ": no such file or directory (give the directory `refblame record` wrote)");
    if (fs::is_regular_file(st)) {
        if (path.filename() == "metadata")
            return {describe(path.parent_path().empty() ? fs::path(".") : path.parent_path())};
        throw UserError(path.string() + ": is a file, not a trace directory (give the directory `refblame record` "
                                        "wrote, or a CTF trace directory holding a `metadata` file)");
    }
    if (!fs::is_directory(st))
        throw UserError(path.string() + ": not a directory (give the directory `refblame record` wrote)");

    std::vector<TraceDir> traces;
    std::uint64_t files = 0, dirs = 0;
    if (is_regular(path / "metadata"))
        traces.push_back(describe(path));
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    if (ec)
        throw UserError(path.string() + ": cannot read the directory (" + ec.message() + ")");
    for (fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
        if (ec)
            throw UserError(path.string() + ": cannot walk the directory (" + ec.message() + ")");
        if (it->is_directory(ec)) {
            ++dirs;
            if (is_regular(it->path() / "metadata"))
                traces.push_back(describe(it->path()));
        } else {
            ++files;
        }
    }
    if (traces.empty()) {
        if (files == 0 && dirs == 0)
            throw UserError(path.string() + ": the directory is empty: no CTF trace to read (did the recording "
                                            "start? `refblame record -o DIR -- PROGRAM` writes one)");
        throw UserError(path.string() + ": no CTF trace found (no `metadata` file in it or in any of its " +
                        std::to_string(dirs) + " subdirectories; " + std::to_string(files) +
                        " other files): give the directory `refblame record` or `lttng` wrote");
    }
    std::sort(traces.begin(), traces.end(), [](const TraceDir &a, const TraceDir &b) { return a.dir < b.dir; });
    return traces;
}

} // namespace refblame::analyzer
