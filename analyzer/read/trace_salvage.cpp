// trace_salvage.cpp: probes a refused trace file by file and builds a shadow directory of what still opens.
#include "read/trace_salvage.hpp"

#include "read/read_graph.hpp"

#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace refblame::analyzer {

namespace fs = std::filesystem;

ScratchDir::~ScratchDir()
{
    if (!path_.empty()) {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
}

const fs::path &ScratchDir::path()
{
    if (path_.empty()) {
        std::error_code ec;
        fs::path base = fs::temp_directory_path(ec);
        if (ec)
            base = "/tmp";
        std::string templ = (base / "refblame-read-XXXXXX").string();
        if (!mkdtemp(templ.data()))
            throw std::system_error(errno, std::generic_category(), "cannot create a scratch directory in " + base.string());
        path_ = templ;
    }
    return path_;
}

namespace {

// A directory in the scratch area holding symlinks to `metadata` and `files`.
fs::path shadow(ScratchDir &scratch, const std::string &name, const TraceDir &t, const std::vector<fs::path> &files)
{
    const fs::path dir = scratch.path() / name;
    fs::create_directories(dir);
    fs::create_symlink(fs::absolute(t.dir / "metadata"), dir / "metadata");
    for (const fs::path &f : files)
        fs::create_symlink(fs::absolute(f), dir / f.filename());
    return dir;
}

} // namespace

fs::path shadow_trace(ScratchDir &scratch, const std::string &name, const TraceDir &trace)
{
    return shadow(scratch, name, trace, trace.streams);
}

std::string unshadow(std::string message, const std::vector<std::pair<std::string, std::string>> &renames)
{
    for (const auto &[from, to] : renames) {
        for (std::size_t at = message.find(from); at != std::string::npos; at = message.find(from, at + to.size()))
            message.replace(at, from.size(), to);
    }
    return message;
}

Salvage salvage_trace(const TraceDir &t, std::size_t index, const std::string &why, const Plugins &plugins,
                      ScratchDir &scratch)
{
    Salvage s;
    const std::string tag = std::string("t") + std::to_string(index); // not "t" + ...: g++ 12 -O3 -Wrestrict false positive
    const std::string user_dir = t.dir.string();

    // The metadata alone: when it does not open, nothing of the trace can be read.
    const fs::path meta = shadow(scratch, tag + "-metadata", t, {});
    s.renames.emplace_back(meta.string(), user_dir);
    if (std::string err = probe_trace(plugins, meta); !err.empty()) {
        s.fatal = (t.dir / "metadata").string() + ": Babeltrace2 cannot parse it (" + unshadow(err, s.renames) +
                  "; `babeltrace2 " + user_dir + "` shows the parser's message)";
        return s;
    }

    // Each stream file alone, with the metadata.
    std::vector<fs::path> good;
    for (std::size_t k = 0; k < t.streams.size(); ++k) {
        const fs::path one = shadow(scratch, tag + "-s" + std::to_string(k), t, {t.streams[k]});
        s.renames.emplace_back(one.string(), user_dir);
        if (std::string err = probe_trace(plugins, one); err.empty())
            good.push_back(t.streams[k]);
        else
            s.skipped.push_back(t.streams[k].string() + ": unreadable, cut short or corrupt (Babeltrace2: " +
                                unshadow(err, s.renames) + "): skipped, its events are missing");
    }
    if (s.skipped.empty()) {
        // Every file opens on its own: the trace as a whole is the problem.
        s.fatal = user_dir + ": Babeltrace2 cannot open this trace (" + unshadow(why, s.renames) + ")";
        return s;
    }
    if (good.empty()) {
        s.fatal = user_dir + ": no stream file of this trace is readable (first: " + s.skipped.front() + ")";
        return s;
    }
    s.dir = shadow(scratch, tag, t, good);
    s.renames.emplace_back(s.dir.string(), user_dir);
    return s;
}

} // namespace refblame::analyzer
