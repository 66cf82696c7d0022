// read_test_support.hpp: what the reader tests share: the recorded traces, the program's own record, a sink that keeps everything.
#pragma once

#include "model/event.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace refblame::test {

// The directory the read.record_traces fixture wrote (env REFBLAME_READ_TRACES).
std::filesystem::path recorded();

// A fresh scratch directory for one test, removed on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const std::filesystem::path &path() const { return path_; }

private:
    std::filesystem::path path_;
};

// The CTF trace directories below `dir` (those holding `metadata`), sorted.
std::vector<std::filesystem::path> ctf_dirs(const std::filesystem::path &dir);

// One op as the program itself recorded it.
struct RecordedOp {
    std::string name; // event name without provider
    std::int32_t tid = 0;
    std::uint64_t obj = 0, holder = 0, from = 0;
    std::int32_t count = 0, val = 0, ret = 0;
    std::string kind; // "" when none
};

// What ops_program printed about itself.
struct ProgramRecord {
    std::int32_t pid = 0;
    std::uint64_t start_ns = 0;
    std::string exe;
    std::uint64_t exe_base = 0, text_lo = 0, text_hi = 0;
    std::string build_id; // hex
    std::string dlopened; // path of the library loaded with dlopen, "" when none
    std::uint64_t ops = 0; // --many: events emitted
    std::vector<RecordedOp> ops_list;
    std::map<std::int32_t, std::vector<RecordedOp>> by_tid() const;
};

ProgramRecord load_record(const std::filesystem::path &file);

// Keeps everything the reader hands on.
struct CollectingSink : analyzer::EventSink {
    std::vector<analyzer::Event> events;
    std::vector<analyzer::ModuleEvent> modules;
    std::vector<analyzer::Loss> losses;
    std::vector<analyzer::StackEvent> stacks;
    std::vector<std::size_t> stacks_before; // events handed on before each stack
    void on_event(const analyzer::Event &e) override { events.push_back(e); }
    void on_stack(const analyzer::StackEvent &s) override
    {
        stacks.push_back(s);
        stacks_before.push_back(events.size());
    }
    void on_module(const analyzer::ModuleEvent &m) override { modules.push_back(m); }
    void on_loss(const analyzer::Loss &l) override { losses.push_back(l); }
};

// True when some warning contains every one of `words`.
bool has_warning(const std::vector<std::string> &warnings, const std::vector<std::string> &words);

std::string hex(const std::vector<std::uint8_t> &bytes);

} // namespace refblame::test
