// read_test_support.cpp: locating the recorded traces and parsing ops_program's record of itself.
#include "read_test_support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

namespace refblame::test {

namespace fs = std::filesystem;

fs::path recorded()
{
    const char *dir = std::getenv("REFBLAME_READ_TRACES");
    if (!dir || !fs::is_directory(fs::path(dir) / "good"))
        throw std::runtime_error("REFBLAME_READ_TRACES does not name the recorded traces: run these tests through "
                                 "ctest (fixture read.record_traces)");
    return dir;
}

TempDir::TempDir()
{
    std::string templ = (fs::temp_directory_path() / "refblame-read-test-XXXXXX").string();
    if (!mkdtemp(templ.data()))
        throw std::runtime_error("mkdtemp failed");
    path_ = templ;
}

TempDir::~TempDir()
{
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::vector<fs::path> ctf_dirs(const fs::path &dir)
{
    std::vector<fs::path> out;
    for (const auto &e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().filename() == "metadata")
            out.push_back(e.path().parent_path());
    std::sort(out.begin(), out.end());
    return out;
}

std::map<std::int32_t, std::vector<RecordedOp>> ProgramRecord::by_tid() const
{
    std::map<std::int32_t, std::vector<RecordedOp>> m;
    for (const RecordedOp &op : ops_list)
        m[op.tid].push_back(op);
    return m;
}

ProgramRecord load_record(const fs::path &file)
{
    std::ifstream in(file);
    if (!in)
        throw std::runtime_error("cannot open " + file.string());
    ProgramRecord r;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string tag;
        ls >> tag;
        if (tag == "pid") {
            ls >> r.pid;
        } else if (tag == "start_ns") {
            ls >> r.start_ns;
        } else if (tag == "exe") {
            ls >> r.exe >> std::hex >> r.exe_base >> r.text_lo >> r.text_hi;
        } else if (tag == "build_id") {
            std::string path;
            ls >> path >> r.build_id;
        } else if (tag == "dlopen") {
            ls >> r.dlopened;
        } else if (tag == "ops") {
            ls >> r.ops;
        } else if (tag == "op") {
            RecordedOp op;
            ls >> op.name >> op.tid >> std::hex >> op.obj >> std::dec >> op.count >> op.val >> op.ret >> std::hex >>
                op.holder >> op.from >> op.kind;
            if (op.kind == "-")
                op.kind.clear();
            if (!ls)
                throw std::runtime_error("bad op line in " + file.string() + ": " + line);
            r.ops_list.push_back(op);
        }
    }
    if (r.pid == 0)
        throw std::runtime_error(file.string() + ": no pid line");
    return r;
}

bool has_warning(const std::vector<std::string> &warnings, const std::vector<std::string> &words)
{
    return std::any_of(warnings.begin(), warnings.end(), [&](const std::string &w) {
        return std::all_of(words.begin(), words.end(),
                           [&](const std::string &word) { return w.find(word) != std::string::npos; });
    });
}

std::string hex(const std::vector<std::uint8_t> &bytes)
{
    std::string s;
    char buf[3];
    for (std::uint8_t b : bytes) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        s += buf;
    }
    return s;
}

} // namespace refblame::test
