// trace_fuzzer.cpp: libFuzzer target: arbitrary bytes as the one stream file of a real CTF trace (fixed metadata from
// trace_template/) through the reader's Babeltrace2 graph: a clear UserError or events, never a crash or a hang.
#include "read/trace_reader.hpp"
#include "user_error.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace refblame::analyzer;

// Counts what the reader hands on, and checks the order it promises.
class CheckingSink final : public EventSink {
public:
    void on_event(const Event &e) override
    {
        if (e.time_ns < last_ns_) {
            std::fprintf(stderr, "trace_fuzzer: events out of time order\n");
            std::abort();
        }
        last_ns_ = e.time_ns;
        kinds_ += e.kind.size(); // the view must stay readable
    }
    void on_module(const ModuleEvent &m) override { kinds_ += m.path.size(); }
    void on_loss(const Loss &l) override { kinds_ += l.trace.size(); }

private:
    std::uint64_t last_ns_ = 0;
    std::size_t kinds_ = 0;
};

// A private copy of the template trace; the fuzzer rewrites its stream file for each input.
struct Workspace {
    fs::path dir;
    fs::path stream;
    std::unique_ptr<TraceReader> reader;

    Workspace()
    {
        char name[] = "/tmp/refblame-trace-fuzzer-XXXXXX";
        if (!mkdtemp(name))
            std::abort();
        dir = name;
        fs::copy_file(fs::path(REFBLAME_FUZZ_TRACE_TEMPLATE) / "metadata", dir / "metadata");
        stream = dir / "refblame_0";
        std::ofstream(stream, std::ios::binary).put('\0');
        reader = std::make_unique<TraceReader>(dir); // finds the trace once; each read() re-reads the files
    }
    ~Workspace()
    {
        reader.reset();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static Workspace ws;
    {
        std::ofstream out(ws.stream, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
    }
    CheckingSink sink;
    try {
        ws.reader->read(sink);
    } catch (const refblame::UserError &e) {
        if (std::string(e.what()).empty())
            std::abort(); // an error must say something
    }
    return 0;
}
