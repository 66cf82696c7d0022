// read_graph.hpp: the one Babeltrace2 graph the reader runs: src.ctf.fs per trace -> refblame sink (one input port per stream, merged by time).
#pragma once

#include "read/bt_handles.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace refblame::analyzer {

struct SinkState;

// The plugins the graph needs, loaded once: the ctf plugin from its own file in Babeltrace2's system
// directory, else found as bt_plugin_find finds it (BABELTRACE_PLUGIN_PATH, then the system directory).
struct Plugins {
    Plugins(); // throws UserError when babeltrace2's ctf plugin is not installed
    bt::Plugin ctf;
};

class ReadGraph {
public:
    explicit ReadGraph(const Plugins &plugins);

    // Adds a src.ctf.fs reading the CTF trace in `dir`; its trace is named
    // `trace_index` so the sink can tell traces apart. "" on success, else
    // Babeltrace2's reason (the component is then not part of the graph).
    std::string add_trace(const std::filesystem::path &dir, std::size_t trace_index);

    // Adds the sink (whose state is `state`) and connects every source output port to an input port of it.
    void connect(const bt_component_class_sink *sink_class, SinkState &state);

    // Runs to the end: an empty message when every message was consumed, else
    // Babeltrace2's reason (with the failing source `src-<trace index>`).
    bt::ErrorInfo run();

    // After a run that ended normally: an error src.ctf.fs 2.0.4 reported but read on past (it ends a
    // stream at corrupt data yet returns success), "" when none. Left in the thread, it would make the
    // next Babeltrace2 call abort the process.
    const bt::ErrorInfo &error_read_past() const { return read_past_; }

private:
    const Plugins &plugins_;
    bt::Graph graph_;
    std::vector<const bt_component_source *> sources_; // borrowed: the graph owns them
    bt::ErrorInfo read_past_;
};

// Whether src.ctf.fs can open the trace in `dir` at all: "" or the reason.
std::string probe_trace(const Plugins &plugins, const std::filesystem::path &dir);

} // namespace refblame::analyzer
