// reader_sink.cpp: the sink component's methods (C callbacks: nothing thrown crosses them) and the per-message dispatch.
#include "read/reader_sink.hpp"

#include <charconv>
#include <stdexcept>
#include <string>
#include <string_view>

namespace refblame::analyzer {

namespace {

SinkState &state_of(bt_self_component_sink *self)
{
    return *static_cast<SinkState *>(bt_self_component_get_data(bt_self_component_sink_as_self_component(self)));
}

bt_component_class_initialize_method_status sink_initialize(bt_self_component_sink *self,
                                                             bt_self_component_sink_configuration *,
                                                             const bt_value *, void *data) noexcept
{
    bt_self_component_set_data(bt_self_component_sink_as_self_component(self), data);
    const SinkState &st = *static_cast<const SinkState *>(data);
    for (std::size_t i = 0; i < st.inputs; ++i) {
        const std::string name = "in" + std::to_string(i);
        if (bt_self_component_sink_add_input_port(self, name.c_str(), nullptr, nullptr) !=
            BT_SELF_COMPONENT_ADD_PORT_STATUS_OK)
            return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_ERROR;
    }
    return BT_COMPONENT_CLASS_INITIALIZE_METHOD_STATUS_OK;
}

bt_component_class_sink_graph_is_configured_method_status sink_graph_is_configured(
    bt_self_component_sink *self) noexcept
{
    SinkState &st = state_of(self);
    for (std::size_t i = 0; i < st.inputs; ++i) {
        bt_self_component_port_input *port = bt_self_component_sink_borrow_input_port_by_index(self, i);
        bt_message_iterator *it = nullptr;
        if (bt_message_iterator_create_from_sink_component(self, port, &it) !=
            BT_MESSAGE_ITERATOR_CREATE_FROM_SINK_COMPONENT_STATUS_OK)
            return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_ERROR;
        st.merge.add(bt::MessageIterator(it));
    }
    return BT_COMPONENT_CLASS_SINK_GRAPH_IS_CONFIGURED_METHOD_STATUS_OK;
}

// Messages handled per call of the consume method (the graph calls it again while it returns OK).
constexpr int messages_per_consume = 1024;

bt_component_class_sink_consume_method_status sink_consume(bt_self_component_sink *self) noexcept
{
    SinkState &st = state_of(self);
    try {
        for (int k = 0; k < messages_per_consume; ++k) {
            const bt_message *msg = nullptr;
            std::uint64_t ns = 0;
            switch (st.merge.next(msg, ns)) {
            case StreamMerge::Status::ok: break;
            case StreamMerge::Status::end: st.merge.reset(); return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_END;
            case StreamMerge::Status::again: return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_AGAIN;
            case StreamMerge::Status::memory_error: return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_MEMORY_ERROR;
            case StreamMerge::Status::error: return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
            }
            struct Put {
                const bt_message *m;
                ~Put() { bt_message_put_ref(m); }
            } put{msg};
            st.on_message(msg, ns);
        }
    } catch (...) {
        // Keep the exception for the reader to rethrow once bt_graph_run returned.
        st.error = std::current_exception();
        BT_CURRENT_THREAD_ERROR_APPEND_CAUSE_FROM_COMPONENT(bt_self_component_sink_as_self_component(self),
                                                            "refblame reader stopped: exception in the sink");
        return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_ERROR;
    }
    return BT_COMPONENT_CLASS_SINK_CONSUME_METHOD_STATUS_OK;
}

void sink_finalize(bt_self_component_sink *self) noexcept
{
    state_of(self).merge.reset();
}

} // namespace

bool plausible_discard_count(std::uint64_t count, std::uint64_t begin_ns, std::uint64_t end_ns)
{
    // A tracer cannot discard more events than nanoseconds went by (an event
    // costs far more than 1 ns); small counts over short ranges stay plausible.
    constexpr std::uint64_t never = std::uint64_t{1} << 40;
    constexpr std::uint64_t always = std::uint64_t{1} << 20;
    if (count >= never)
        return false;
    if (count <= always || end_ns <= begin_ns || begin_ns == 0)
        return true;
    return count <= end_ns - begin_ns;
}

const StreamInfo &SinkState::stream(const bt_stream *s)
{
    if (s == last_stream)
        return last_info;
    auto it = streams.find(s);
    if (it == streams.end()) {
        // First sight of this stream: find its trace by the name we gave src.ctf.fs.
        const bt_trace *trace = bt_stream_borrow_trace_const(s);
        // src.ctf.fs 2.0 names it "HOSTNAME/<trace-name>" when the environment has a hostname.
        const char *raw = bt_trace_get_name(trace);
        std::string_view name = raw ? raw : "";
        if (const std::size_t slash = name.rfind('/'); slash != std::string_view::npos)
            name.remove_prefix(slash + 1);
        std::size_t index = traces.size();
        std::from_chars(name.data(), name.data() + name.size(), index);
        if (index >= traces.size())
            throw std::logic_error("reader: stream of an unknown trace");
        TraceInfo &t = traces[index];
        if (const bt_value *v = bt_trace_borrow_environment_entry_value_by_name_const(trace, "vpid")) {
            if (bt_value_is_signed_integer(v))
                t.env_pid = static_cast<std::int32_t>(bt_value_integer_signed_get(v));
            else if (bt_value_is_unsigned_integer(v))
                t.env_pid = static_cast<std::int32_t>(bt_value_integer_unsigned_get(v));
        }
        StreamInfo info{static_cast<std::uint32_t>(streams.size()), &t};
        it = streams.emplace(s, info).first;
        if (!t.seen) {
            t.seen = true;
            for (Loss &l : t.pending) {
                l.pid = t.env_pid;
                ++counts.losses;
                out.on_loss(l);
            }
            t.pending.clear();
        }
    }
    last_stream = s;
    last_info = it->second;
    return last_info;
}

void SinkState::on_message(const bt_message *msg, std::uint64_t ns)
{
    ++counts.messages;
    switch (bt_message_get_type(msg)) {
    case BT_MESSAGE_TYPE_EVENT: {
        ++counts.events;
        const StreamInfo &s = stream(bt_event_borrow_stream_const(bt_message_event_borrow_event_const(msg)));
        switch (decoder.decode(msg, ns, s, event_, module_)) {
        case EventDecoder::Kind::refblame:
            // Streams are merged by time and each CTF stream's clock only moves on: an event stamped
            // earlier than one already handed on comes from corrupt data. The order stays what it is.
            if (counts.refblame_events > 0 && event_.time_ns < counts.last_ns) {
                if (counts.backward_times++ == 0)
                    first_backward = s.trace->dir + ", CTF stream " + std::to_string(s.index);
                event_.time_ns = counts.last_ns;
            }
            if (counts.refblame_events++ == 0)
                counts.first_ns = event_.time_ns;
            counts.last_ns = event_.time_ns;
            out.on_event(event_);
            break;
        case EventDecoder::Kind::module:
            ++counts.module_events;
            out.on_module(module_);
            break;
        case EventDecoder::Kind::stack:
            ++counts.stack_events;
            out.on_stack(decoder.stack());
            break;
        case EventDecoder::Kind::other: break;
        }
        break;
    }
    case BT_MESSAGE_TYPE_DISCARDED_EVENTS: on_discarded(msg, false); break;
    case BT_MESSAGE_TYPE_DISCARDED_PACKETS: on_discarded(msg, true); break;
    default: break;
    }
}

void SinkState::on_discarded(const bt_message *msg, bool packets)
{
    const bt_stream *st = packets ? bt_message_discarded_packets_borrow_stream_const(msg)
                                  : bt_message_discarded_events_borrow_stream_const(msg);
    const StreamInfo &s = stream(st);
    const bt_stream_class *sc = bt_stream_borrow_class_const(st);
    Loss loss;
    loss.stream = s.index;
    loss.pid = s.trace->env_pid;
    loss.trace = s.trace->dir;
    loss.packets = packets;

    const bool has_times = packets ? bt_stream_class_discarded_packets_have_default_clock_snapshots(sc)
                                   : bt_stream_class_discarded_events_have_default_clock_snapshots(sc);
    if (has_times) {
        const bt_clock_snapshot *b =
            packets ? bt_message_discarded_packets_borrow_beginning_default_clock_snapshot_const(msg)
                    : bt_message_discarded_events_borrow_beginning_default_clock_snapshot_const(msg);
        const bt_clock_snapshot *e = packets ? bt_message_discarded_packets_borrow_end_default_clock_snapshot_const(msg)
                                             : bt_message_discarded_events_borrow_end_default_clock_snapshot_const(msg);
        std::int64_t ns = 0;
        if (bt_clock_snapshot_get_ns_from_origin(b, &ns) == BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK && ns > 0)
            loss.begin_ns = static_cast<std::uint64_t>(ns);
        if (bt_clock_snapshot_get_ns_from_origin(e, &ns) == BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK && ns > 0)
            loss.end_ns = static_cast<std::uint64_t>(ns);
    }

    std::uint64_t count = 0;
    const bool has_count = (packets ? bt_message_discarded_packets_get_count(msg, &count)
                                    : bt_message_discarded_events_get_count(msg, &count)) ==
                           BT_PROPERTY_AVAILABILITY_AVAILABLE;
    if (has_count) {
        if (!plausible_discard_count(count, loss.begin_ns, loss.end_ns)) {
            warnings.push_back(s.trace->dir + ": stream " + std::to_string(s.index) + " reports " +
                               std::to_string(count) + (packets ? " discarded packets" : " discarded events") +
                               " (a wrapped-around counter, not a real number): counted as a loss of unknown size");
            count = 0;
        }
    } else {
        count = 0;
    }
    loss.count = count;
    ++counts.losses;
    (packets ? counts.lost_packets : counts.lost_events) += count;
    out.on_loss(loss);
}

bt::SinkClass make_sink_class()
{
    bt::SinkClass cls(bt_component_class_sink_create("refblame", sink_consume));
    if (!cls)
        throw std::bad_alloc();
    bt_component_class_sink_set_initialize_method(cls.get(), sink_initialize);
    bt_component_class_sink_set_graph_is_configured_method(cls.get(), sink_graph_is_configured);
    bt_component_class_sink_set_finalize_method(cls.get(), sink_finalize);
    return cls;
}

} // namespace refblame::analyzer
