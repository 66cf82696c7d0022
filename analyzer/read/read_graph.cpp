// read_graph.cpp: builds and runs the reading graph with the Babeltrace2 C API.
#include "read/read_graph.hpp"

#include "read/reader_sink.hpp"
#include "user_error.hpp"

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace refblame::analyzer {

namespace {

// Components log nothing: their errors come back as error causes.
constexpr bt_logging_level log_level = BT_LOGGING_LEVEL_NONE;

// Babeltrace2 installs its plugins in LIBDIR/babeltrace2/plugins: the ctf plugin's file next to the
// libbabeltrace2 this process uses, or "" when that library cannot be told.
std::filesystem::path system_ctf_plugin_file()
{
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void *>(&bt_plugin_find_all_from_file), &info) == 0 || !info.dli_fname)
        return {};
    const std::filesystem::path lib(info.dli_fname);
    if (!lib.filename().string().starts_with("libbabeltrace2"))
        return {};
    return lib.parent_path() / "babeltrace2" / "plugins" / "babeltrace-plugin-ctf.so";
}

// The ctf plugin loaded from its own file. bt_plugin_find loads every plugin of every directory it
// searches to find one (3 ms of each query, against 0.8 for one file). Empty when
// BABELTRACE_PLUGIN_PATH is set (its directories come first, as bt_plugin_find searches) or the file
// is not there or not the ctf plugin: bt_plugin_find decides then.
bt::Plugin load_system_ctf_plugin()
{
    if (const char *path = std::getenv("BABELTRACE_PLUGIN_PATH"); path && *path)
        return {};
    const std::filesystem::path file = system_ctf_plugin_file();
    std::error_code ec;
    if (file.empty() || !std::filesystem::is_regular_file(file, ec))
        return {};
    const bt_plugin_set *set = nullptr;
    if (bt_plugin_find_all_from_file(file.c_str(), BT_FALSE, &set) != BT_PLUGIN_FIND_ALL_FROM_FILE_STATUS_OK) {
        bt_current_thread_clear_error();
        return {};
    }
    bt::Plugin found;
    for (std::uint64_t i = 0; i < bt_plugin_set_get_plugin_count(set) && !found; ++i) {
        const bt_plugin *p = bt_plugin_set_borrow_plugin_by_index_const(set, i);
        if (std::string_view(bt_plugin_get_name(p)) == "ctf") {
            bt_plugin_get_ref(p);
            found = bt::Plugin(p);
        }
    }
    bt_plugin_set_put_ref(set);
    return found;
}

bt::Plugin find_plugin(const char *name)
{
    bt::Plugin p;
    const bt_plugin *raw = nullptr;
    const bt_plugin_find_status st = bt_plugin_find(name, BT_TRUE, BT_FALSE, BT_TRUE, BT_TRUE, BT_FALSE, &raw);
    p = bt::Plugin(raw);
    if (st != BT_PLUGIN_FIND_STATUS_OK) {
        const std::string why = bt::take_error();
        throw UserError(std::string("the Babeltrace2 plugin `") + name +
                        "` was not found: install the babeltrace2 package (Debian: `apt-get install babeltrace2`)" +
                        (why.empty() ? "" : " (" + why + ")"));
    }
    return p;
}

bt::Value map_value()
{
    bt::Value v(bt_value_map_create());
    if (!v)
        throw std::bad_alloc();
    return v;
}

void check(bool ok)
{
    if (!ok)
        throw std::bad_alloc();
}

// Babeltrace2 aborts when called with an error pending in the thread: none may be left from before.
bt_graph *fresh_graph()
{
    bt_current_thread_clear_error();
    return bt_graph_create(0);
}

} // namespace

Plugins::Plugins() : ctf(load_system_ctf_plugin())
{
    if (!ctf)
        ctf = find_plugin("ctf");
}

ReadGraph::ReadGraph(const Plugins &plugins) : plugins_(plugins), graph_(fresh_graph())
{
    check(static_cast<bool>(graph_));
}

std::string ReadGraph::add_trace(const std::filesystem::path &dir, std::size_t trace_index)
{
    const bt_component_class_source *fs =
        bt_plugin_borrow_source_component_class_by_name_const(plugins_.ctf.get(), "fs");
    if (!fs)
        throw UserError("the Babeltrace2 ctf plugin has no `fs` source: reinstall babeltrace2");
    bt::Value params = map_value();
    bt_value *inputs = nullptr;
    check(bt_value_map_insert_empty_array_entry(params.get(), "inputs", &inputs) == BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK);
    check(bt_value_array_append_string_element(inputs, dir.c_str()) == BT_VALUE_ARRAY_APPEND_ELEMENT_STATUS_OK);
    check(bt_value_map_insert_string_entry(params.get(), "trace-name", std::to_string(trace_index).c_str()) ==
          BT_VALUE_MAP_INSERT_ENTRY_STATUS_OK);
    const std::string name = "src-" + std::to_string(trace_index);
    const bt_component_source *comp = nullptr;
    if (bt_graph_add_source_component(graph_.get(), fs, name.c_str(), params.get(), log_level, &comp) !=
        BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
        std::string why = bt::take_error();
        return why.empty() ? "Babeltrace2 cannot open it" : why;
    }
    sources_.push_back(comp);
    return {};
}

void ReadGraph::connect(const bt_component_class_sink *sink_class, SinkState &state)
{
    // Every output port (CTF stream) of every source goes to an input port of
    // its own on our sink, which merges them by time (read/stream_merge.hpp):
    // flt.utils.muxer would do the same for any message, at an eighth of the read's cost.
    state.inputs = 0;
    for (const bt_component_source *src : sources_)
        state.inputs += bt_component_source_get_output_port_count(src);
    const bt_component_sink *sink = nullptr;
    if (bt_graph_add_sink_component_with_initialize_method_data(graph_.get(), sink_class, "refblame", nullptr, &state,
                                                                log_level, &sink) != BT_GRAPH_ADD_COMPONENT_STATUS_OK)
        throw std::runtime_error("reader: cannot add the refblame sink: " + bt::take_error());

    std::uint64_t in = 0;
    for (const bt_component_source *src : sources_) {
        const std::uint64_t n = bt_component_source_get_output_port_count(src);
        for (std::uint64_t p = 0; p < n; ++p, ++in)
            if (bt_graph_connect_ports(graph_.get(), bt_component_source_borrow_output_port_by_index_const(src, p),
                                       bt_component_sink_borrow_input_port_by_index_const(sink, in),
                                       nullptr) != BT_GRAPH_CONNECT_PORTS_STATUS_OK)
                throw std::runtime_error("reader: cannot connect ports: " + bt::take_error());
    }
}

bt::ErrorInfo ReadGraph::run()
{
    for (;;) {
        switch (bt_graph_run(graph_.get())) {
        case BT_GRAPH_RUN_STATUS_OK: read_past_ = bt::take_error_info(); return {};
        case BT_GRAPH_RUN_STATUS_AGAIN: continue; // files never make us wait; try again
        case BT_GRAPH_RUN_STATUS_MEMORY_ERROR: bt::take_error(); throw std::bad_alloc();
        default: {
            bt::ErrorInfo why = bt::take_error_info();
            if (why.message.empty())
                why.message = "Babeltrace2 failed to read the trace";
            return why;
        }
        }
    }
}

std::string probe_trace(const Plugins &plugins, const std::filesystem::path &dir)
{
    ReadGraph g(plugins);
    return g.add_trace(dir, 0);
}

} // namespace refblame::analyzer
