// trace_reader.cpp: orchestrates a read: find traces, check and salvage them, run the one graph, summarize.
#include "read/trace_reader.hpp"

#include "read/event_decoder.hpp"
#include "read/metadata_check.hpp"
#include "read/read_graph.hpp"
#include "read/reader_sink.hpp"
#include "read/stream_check.hpp"
#include "read/trace_salvage.hpp"
#include "user_error.hpp"

#include <cstdlib>
#include <optional>
#include <utility>

namespace refblame::analyzer {

namespace fs = std::filesystem;

struct TraceReader::Impl {
    fs::path path;
    std::vector<TraceDir> traces;
    KindTable kinds; // outlives every read: Event::kind views point in here
    std::optional<Plugins> plugins;
};

TraceReader::TraceReader(fs::path trace) : impl_(std::make_unique<Impl>())
{
    impl_->path = std::move(trace);
    impl_->traces = find_traces(impl_->path);
}

TraceReader::~TraceReader() = default;

const std::vector<TraceDir> &TraceReader::traces() const { return impl_->traces; }

namespace {

// A whole trace or stream that could not be read: loss of unknown size and range.
Loss unread(const std::string &trace_dir)
{
    Loss l;
    l.stream = unread_stream;
    l.trace = trace_dir;
    return l;
}

std::string join_lines(const std::vector<std::string> &lines)
{
    std::string s;
    for (const std::string &l : lines)
        s += "\n  " + l;
    return s;
}

// The traces opened in one graph, and what could not be.
struct Opened {
    std::optional<ReadGraph> graph;
    std::vector<TraceInfo> infos;   // per trace, indexed like the TraceDirs
    std::vector<std::string> fatal; // per trace: why nothing of it is read ("" when read)
    std::vector<std::string> skipped; // stream files skipped in traces that are read
    std::vector<std::pair<std::string, std::string>> renames; // shadow path -> user's path
};

// Keeps a trace's stream files whose packet framing is broken (stream_check.hpp) away from
// Babeltrace2, which aborts the process on some of them: the rest of the trace is read through a
// shadow directory, each skipped file with a warning and a loss.
void exclude_broken_streams(TraceDir &t, std::size_t index, Opened &o, fs::path &read_dir, ScratchDir &scratch)
{
    if (!has_lttng_packet_layout(t.dir / "metadata"))
        return;
    std::vector<fs::path> good;
    std::vector<std::string> skipped;
    for (const fs::path &f : t.streams) {
        if (const std::string why = check_stream_framing(f); !why.empty())
            skipped.push_back(f.string() + ": " + why);
        else
            good.push_back(f);
    }
    if (skipped.empty())
        return;
    t.streams = std::move(good);
    if (t.streams.empty()) {
        o.fatal[index] = t.dir.string() + ": no stream file of this trace is readable (first: " + skipped.front() + ")";
        return;
    }
    for (std::string &line : skipped) {
        o.skipped.push_back(std::move(line) + ": skipped, its events are missing");
        o.infos[index].pending.push_back(unread(o.infos[index].dir));
    }
    read_dir = shadow_trace(scratch, "t" + std::to_string(index) + "-framed", t);
    o.renames.emplace_back(read_dir.string(), t.dir.string());
}

// Adds a src.ctf.fs per trace to one graph. A trace src.ctf.fs refuses is
// salvaged once (its readable files kept, see trace_salvage.hpp) and the graph
// rebuilt; a trace whose metadata framing is broken is never handed to
// Babeltrace2 2.0.4, which hangs on a cut metadata packet.
Opened open_traces(const std::vector<TraceDir> &traces, const Plugins &plugins, ScratchDir &scratch)
{
    const std::size_t n = traces.size();
    Opened o;
    o.infos.resize(n);
    o.fatal.resize(n);
    std::vector<fs::path> read_dir(n);
    std::vector<bool> salvaged(n, false);
    std::vector<TraceDir> usable = traces; // without the stream files whose framing is broken
    for (std::size_t i = 0; i < n; ++i) {
        o.infos[i].dir = traces[i].dir.string();
        read_dir[i] = traces[i].dir;
        if (std::string why = check_metadata_framing(traces[i].dir / "metadata"); !why.empty()) {
            o.fatal[i] = (traces[i].dir / "metadata").string() + ": " + why;
            continue;
        }
        exclude_broken_streams(usable[i], i, o, read_dir[i], scratch);
    }
    for (bool rebuild = true; rebuild;) {
        rebuild = false;
        o.graph.emplace(plugins);
        for (std::size_t i = 0; i < n; ++i) {
            if (!o.fatal[i].empty())
                continue;
            const std::string why = o.graph->add_trace(read_dir[i], i);
            if (why.empty())
                continue;
            // A component that failed to initialize leaves the graph faulty (adding
            // another one aborts Babeltrace2): rebuild it before any other trace.
            rebuild = true;
            if (salvaged[i]) {
                o.fatal[i] = o.infos[i].dir + ": Babeltrace2 cannot open it (" + unshadow(why, o.renames) + ")";
                break;
            }
            salvaged[i] = true;
            Salvage s = salvage_trace(usable[i], i, why, plugins, scratch);
            o.renames.insert(o.renames.end(), s.renames.begin(), s.renames.end());
            if (!s.fatal.empty()) {
                o.fatal[i] = s.fatal;
                break;
            }
            read_dir[i] = s.dir;
            for (std::string &line : s.skipped) {
                o.skipped.push_back(std::move(line));
                o.infos[i].pending.push_back(unread(o.infos[i].dir));
            }
            break;
        }
    }
    return o;
}

// Where a run stopped: Babeltrace2's reason and the trace and stream it names.
std::string describe_stop(const bt::ErrorInfo &stopped, const Opened &o)
{
    std::string why = unshadow(stopped.message, o.renames);
    // The failing source is "src-<trace index>"; its port "UUID | class | stream id".
    if (stopped.component.starts_with("src-")) {
        const std::size_t i = std::strtoul(stopped.component.c_str() + 4, nullptr, 10);
        if (i < o.infos.size()) {
            why += " in " + o.infos[i].dir;
            if (const std::size_t bar = stopped.port.rfind("| "); bar != std::string::npos)
                why += ", CTF stream " + stopped.port.substr(bar + 2);
        }
    }
    return why;
}

} // namespace

ReadSummary TraceReader::read(EventSink &sink)
{
    Impl &im = *impl_;
    const std::size_t n = im.traces.size();
    const std::string user_path = im.path.string();
    if (!im.plugins)
        im.plugins.emplace();

    ScratchDir scratch; // shadow directories of salvaged traces, gone after the read
    Opened o = open_traces(im.traces, *im.plugins, scratch);
    std::vector<std::string> problems;
    for (const std::string &f : o.fatal)
        if (!f.empty())
            problems.push_back(f);
    if (problems.size() == n) {
        if (n == 1)
            throw UserError(problems.front() + ": cannot read this trace (re-record it, or restore the file from "
                                               "where it was copied)");
        throw UserError(user_path + ": none of the " + std::to_string(n) + " CTF traces is readable:" +
                        join_lines(problems));
    }

    ReadSummary sum;
    for (const TraceDir &t : im.traces)
        sum.traces.push_back(t.dir.string());
    sum.traces_read = n - problems.size();
    sum.complete = problems.empty() && o.skipped.empty();
    sum.warnings = std::move(o.skipped);
    for (const std::string &p : problems)
        sum.warnings.push_back(p + ": trace skipped, its events are missing");
    // Losses of whole unreadable traces come first: their process is unknown.
    for (std::size_t i = 0; i < n; ++i)
        if (!o.fatal[i].empty())
            sink.on_loss(unread(o.infos[i].dir));

    EventDecoder decoder(im.kinds, sum.warnings);
    SinkState state(sink, o.infos, decoder, sum.warnings);
    // The graph goes before `state` on every path: the sink's finalize uses it.
    struct GraphFirst {
        std::optional<ReadGraph> &graph;
        ~GraphFirst() { graph.reset(); }
    } graph_first{o.graph};
    const bt::SinkClass sink_class = make_sink_class();
    o.graph->connect(sink_class.get(), state);
    const bt::ErrorInfo stopped = o.graph->run();
    const bt::ErrorInfo read_past = o.graph->error_read_past();
    o.graph.reset();
    if (state.error)
        std::rethrow_exception(state.error);

    const ReadCounts &c = state.counts;
    if (!stopped.message.empty()) {
        const std::string why = describe_stop(stopped, o);
        if (c.refblame_events == 0)
            throw UserError(user_path + ": cannot read the trace: " + why);
        sum.complete = false;
        sum.warnings.push_back(user_path + ": reading stopped after " + std::to_string(c.refblame_events) +
                               " refblame events, at time " + std::to_string(c.last_ns) + " ns (corrupt data: " + why +
                               "): later events of every stream were not read; results cover the trace up to "
                               "that time only");
    }
    if (!read_past.message.empty()) {
        sum.complete = false;
        sum.warnings.push_back(user_path + ": Babeltrace2 met corrupt data and read on (" +
                               describe_stop(read_past, o) +
                               "): events of that stream after it may be missing, results may be partial");
    }
    if (c.backward_times > 0) {
        sum.complete = false;
        sum.warnings.push_back(state.first_backward + ": " + std::to_string(c.backward_times) +
                               " refblame events stamped earlier than events already read (corrupt data): "
                               "their times were raised to keep the order, times near them may be off");
    }
    // Skipped files of traces none of whose streams was read.
    std::uint64_t late = 0;
    for (TraceInfo &t : o.infos) {
        for (const Loss &l : t.pending) {
            sink.on_loss(l);
            ++late;
        }
        t.pending.clear();
    }

    sum.streams = state.streams.size();
    sum.events = c.events;
    sum.refblame_events = c.refblame_events;
    sum.module_events = c.module_events;
    sum.stack_events = c.stack_events;
    sum.losses = c.losses + problems.size() + late;
    sum.lost_events = c.lost_events;
    sum.lost_packets = c.lost_packets;
    sum.first_ns = c.first_ns;
    sum.last_ns = c.last_ns;
    if (sum.refblame_events == 0)
        throw UserError(user_path + ": no refblame events in " + std::to_string(sum.traces_read) + " CTF trace" +
                        (sum.traces_read == 1 ? "" : "s") + " (" + std::to_string(sum.events) +
                        " other events): was the program linked with librefblame, and refblame:* enabled? "
                        "(`refblame record -- PROGRAM` does both)" +
                        join_lines(sum.warnings));
    return sum;
}

} // namespace refblame::analyzer
