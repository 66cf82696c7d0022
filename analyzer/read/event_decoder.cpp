// event_decoder.cpp: per-event-class field resolution and the per-event conversion (no lookups by name, no allocation, on the hot path).
#include "read/event_decoder.hpp"

#include "user_error.hpp"

#include <optional>

namespace refblame::analyzer {

namespace {

constexpr std::string_view refblame_prefix = "refblame:";

struct ModuleName {
    std::string_view name;
    ModuleEvent::Kind kind;
};
constexpr ModuleName module_names[] = {
    {"lttng_ust_statedump:start", ModuleEvent::Kind::statedump_start},
    {"lttng_ust_statedump:end", ModuleEvent::Kind::statedump_end},
    {"lttng_ust_statedump:bin_info", ModuleEvent::Kind::bin_info},
    {"lttng_ust_statedump:build_id", ModuleEvent::Kind::build_id},
    {"lttng_ust_statedump:debug_link", ModuleEvent::Kind::debug_link},
    {"lttng_ust_lib:load", ModuleEvent::Kind::load},
    {"lttng_ust_lib:build_id", ModuleEvent::Kind::build_id},
    {"lttng_ust_lib:debug_link", ModuleEvent::Kind::debug_link},
    {"lttng_ust_lib:unload", ModuleEvent::Kind::unload},
};

enum class Want : std::uint8_t { integer, string, byte_array };

const char *type_word(Want w)
{
    switch (w) {
    case Want::integer: return "an integer";
    case Want::string: return "a string";
    case Want::byte_array: return "an array of integers";
    }
    return "?";
}

bool has_type(const bt_field_class *fc, Want want)
{
    const bt_field_class_type t = bt_field_class_get_type(fc);
    switch (want) {
    case Want::integer: return bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_INTEGER);
    case Want::string: return t == BT_FIELD_CLASS_TYPE_STRING;
    case Want::byte_array:
        return bt_field_class_type_is(t, BT_FIELD_CLASS_TYPE_ARRAY) &&
               bt_field_class_type_is(
                   bt_field_class_get_type(bt_field_class_array_borrow_element_field_class_const(fc)),
                   BT_FIELD_CLASS_TYPE_INTEGER);
    }
    return false;
}

// Index of member `name` in structure class `st` (nullptr: no structure).
// Sets `wrong_type` when it exists with another type.
std::int64_t member_index(const bt_field_class *st, std::string_view name, Want want, bool &is_signed,
                          bool &wrong_type)
{
    wrong_type = false;
    if (!st)
        return -1;
    const std::uint64_t n = bt_field_class_structure_get_member_count(st);
    for (std::uint64_t i = 0; i < n; ++i) {
        const bt_field_class_structure_member *m = bt_field_class_structure_borrow_member_by_index_const(st, i);
        if (name != bt_field_class_structure_member_get_name(m))
            continue;
        const bt_field_class *fc = bt_field_class_structure_member_borrow_field_class_const(m);
        if (!has_type(fc, want)) {
            wrong_type = true;
            return -1;
        }
        is_signed = want == Want::integer &&
                    bt_field_class_type_is(bt_field_class_get_type(fc), BT_FIELD_CLASS_TYPE_SIGNED_INTEGER);
        return static_cast<std::int64_t>(i);
    }
    return -1;
}

inline const bt_field *member(const bt_field *st, std::int64_t index)
{
    return bt_field_structure_borrow_member_field_by_index_const(st, static_cast<std::uint64_t>(index));
}

inline std::uint64_t integer(const bt_field *st, std::int64_t index, bool is_signed)
{
    const bt_field *f = member(st, index);
    return is_signed ? static_cast<std::uint64_t>(bt_field_integer_signed_get_value(f))
                     : bt_field_integer_unsigned_get_value(f);
}

} // namespace

void EventDecoder::warn_once(const std::string &message)
{
    if (said_.insert(message).second)
        warnings_.push_back(message);
}

EventDecoder::ClassInfo EventDecoder::resolve(const bt_event_class *cls, const StreamInfo &s)
{
    ClassInfo info;
    const char *raw = bt_event_class_get_name(cls);
    const std::string_view name = raw ? raw : "";
    const bt_stream_class *sc = bt_event_class_borrow_stream_class_const(cls);
    info.has_clock = bt_stream_class_borrow_default_clock_class_const(sc) != nullptr;

    // vpid/vtid: the channel's common context (`lttng add-context -u -t vpid -t vtid`).
    const bt_field_class *ctx = bt_stream_class_borrow_event_common_context_field_class_const(sc);
    bool wrong = false;
    info.vpid.index = member_index(ctx, "vpid", Want::integer, info.vpid.is_signed, wrong);
    info.vtid.index = member_index(ctx, "vtid", Want::integer, info.vtid.is_signed, wrong);

    if (name.starts_with(refblame_prefix)) {
        resolve_refblame(info, cls, name.substr(refblame_prefix.size()), s);
    } else {
        for (const ModuleName &m : module_names)
            if (m.name == name) {
                info.kind = Kind::module;
                info.module = m.kind;
                resolve_module(info, cls, name);
            }
    }
    if (info.kind == Kind::other)
        return info;

    TraceInfo &t = *s.trace;
    if (!info.has_clock)
        warn_once(t.dir + ": stream class has no clock: event times are unknown (0)");
    // Per-PID traces (what `refblame record` makes) name their process in the
    // trace environment: no vpid context is needed then.
    if (info.vpid.index < 0 && t.env_pid == unknown_id && !t.warned_no_pid) {
        t.warned_no_pid = true;
        warnings_.push_back(t.dir + ": events have no vpid context and the trace names no process: process ids "
                                    "unknown (record with per-PID buffers or `lttng add-context -u -t vpid`)");
    }
    if (info.vtid.index < 0 && !t.warned_no_tid) {
        t.warned_no_tid = true;
        warnings_.push_back(t.dir + ": events have no vtid context: thread ids unknown (record with "
                                    "`lttng add-context -u -t vtid`)");
    }
    return info;
}

void EventDecoder::resolve_refblame(ClassInfo &info, const bt_event_class *cls, std::string_view op_name,
                                    const StreamInfo &s)
{
    // The event names are the model's op names (model/event.cpp); Op::move is
    // the last op. The tracked get/put events are ref_mod/ref_mod_and_test
    // with a holder and without val.
    if (op_name == "stack") {
        resolve_stack(info, cls, s);
        return;
    }
    std::optional<Op> found;
    bool tracked = false;
    for (int i = 0; i <= static_cast<int>(Op::move); ++i)
        if (analyzer::op_name(static_cast<Op>(i)) == op_name)
            found = static_cast<Op>(i);
    if (op_name == "ref_get" || op_name == "ref_put") {
        found = op_name == "ref_get" ? Op::mod : Op::mod_and_test;
        tracked = true;
        info.val_default = op_name == "ref_get" ? 1 : -1;
    }
    if (!found) {
        warn_once(s.trace->dir + ": unknown event refblame:" + std::string(op_name) +
                  " ignored (recorded by a newer refblame?)");
        return;
    }
    info.kind = Kind::refblame;
    info.op = *found;
    const Op op = *found;
    const bool needs_ret = op == Op::mod_and_test || op == Op::mod_and_return || op == Op::mod_unless ||
                           op == Op::freeze;
    enum class Need { absent, optional, required };
    const auto need = [](bool required) { return required ? Need::required : Need::absent; };
    struct Field {
        SlotName slot;
        const char *name;
        Want want;
        Need need;
    };
    const Field fields[] = {
        {s_obj, "obj", Want::integer, Need::required},
        {s_count, "count", Want::integer, Need::required},
        {s_val, "val", Want::integer, tracked ? Need::absent : Need::required},
        {s_ret, "ret", Want::integer, need(needs_ret)},
        {s_caller, "caller", Want::integer, Need::required},
        // Anonymous ref_mod/ref_mod_and_test of older traces carried a holder too.
        {s_holder, "holder", Want::integer,
         tracked || op == Op::move ? Need::required
                                   : (op == Op::mod || op == Op::mod_and_test ? Need::optional : Need::absent)},
        {s_from, "from", Want::integer, need(op == Op::move)},
        {s_kind, "kind", Want::string, need(op == Op::obj_init)},
        {s_stack, "stack", Want::integer, Need::optional},
    };
    const bt_field_class *payload = bt_event_class_borrow_payload_field_class_const(cls);
    for (const Field &n : fields) {
        if (n.need == Need::absent)
            continue; // fields this op does not define are ignored, like any unknown field
        bool wrong = false;
        Slot &slot = info.f[n.slot];
        slot.index = member_index(payload, n.name, n.want, slot.is_signed, wrong);
        if (slot.index < 0 && (n.need == Need::required || wrong))
            throw UserError(s.trace->dir + ": event refblame:" + std::string(op_name) + " " +
                            (wrong ? "has a field `" + std::string(n.name) + "` that is not " + type_word(n.want)
                                   : "lacks the field `" + std::string(n.name) + "`") +
                            ": this trace was not recorded by this version of refblame (re-record it, or use the "
                            "matching refblame)");
    }
}

void EventDecoder::resolve_stack(ClassInfo &info, const bt_event_class *cls, const StreamInfo &s)
{
    info.kind = Kind::stack;
    const bt_field_class *payload = bt_event_class_borrow_payload_field_class_const(cls);
    const struct {
        StackSlot slot;
        const char *name;
        Want want;
    } fields[] = {{k_id, "id", Want::integer}, {k_frames, "frames", Want::byte_array}};
    for (const auto &n : fields) {
        bool wrong = false;
        Slot &slot = info.f[n.slot];
        slot.index = member_index(payload, n.name, n.want, slot.is_signed, wrong);
        if (slot.index < 0)
            throw UserError(s.trace->dir + ": event refblame:stack " +
                            (wrong ? "has a field `" + std::string(n.name) + "` that is not " + type_word(n.want)
                                   : "lacks the field `" + std::string(n.name) + "`") +
                            ": this trace was not recorded by this version of refblame (re-record it, or use the "
                            "matching refblame)");
    }
}

void EventDecoder::decode_stack(const ClassInfo &c, const bt_field *payload)
{
    stack_.id = static_cast<std::uint32_t>(integer(payload, c.f[k_id].index, c.f[k_id].is_signed));
    const bt_field *arr = member(payload, c.f[k_frames].index);
    const std::uint64_t n = bt_field_array_get_length(arr);
    stack_.frames.resize(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        const bt_field *e = bt_field_array_borrow_element_field_by_index_const(arr, i);
        stack_.frames[i] = bt_field_class_type_is(bt_field_get_class_type(e), BT_FIELD_CLASS_TYPE_SIGNED_INTEGER)
                               ? static_cast<std::uint64_t>(bt_field_integer_signed_get_value(e))
                               : bt_field_integer_unsigned_get_value(e);
    }
}

void EventDecoder::resolve_module(ClassInfo &info, const bt_event_class *cls, std::string_view name)
{
    using K = ModuleEvent::Kind;
    const K k = info.module;
    struct Need {
        ModuleSlot slot;
        const char *name;
        Want want;
        bool required;
    };
    const bool lib_or_bin = k == K::bin_info || k == K::load;
    const Need needs[] = {
        {m_baddr, "baddr", Want::integer, k != K::statedump_start && k != K::statedump_end},
        {m_memsz, "memsz", Want::integer, lib_or_bin},
        {m_path, "path", Want::string, lib_or_bin},
        {m_is_pic, "is_pic", Want::integer, false},
        {m_build_id, "build_id", Want::byte_array, k == K::build_id},
        {m_crc, "crc", Want::integer, false},
        {m_filename, "filename", Want::string, k == K::debug_link},
    };
    const bt_field_class *payload = bt_event_class_borrow_payload_field_class_const(cls);
    for (const Need &n : needs) {
        bool wrong = false;
        Slot &slot = info.f[n.slot];
        slot.index = member_index(payload, n.name, n.want, slot.is_signed, wrong);
        if (slot.index < 0 && n.required) {
            info.usable = false;
            warn_once(std::string(name) + " events lack the field `" + n.name +
                      "`: ignored (symbols of the modules they describe may be missing)");
            return;
        }
    }
}

const EventDecoder::ClassInfo &EventDecoder::lookup(const bt_event *event, const StreamInfo &s)
{
    const bt_event_class *cls = bt_event_borrow_class_const(event);
    if (cls == last_class_)
        return *last_info_;
    auto it = classes_.find(cls);
    if (it == classes_.end())
        it = classes_.emplace(cls, resolve(cls, s)).first;
    last_class_ = cls;
    last_info_ = &it->second;
    return it->second;
}

EventDecoder::Kind EventDecoder::decode(const bt_message *msg, std::uint64_t time_ns, const StreamInfo &s,
                                       Event &ev, ModuleEvent &mod)
{
    const bt_event *event = bt_message_event_borrow_event_const(msg);
    const ClassInfo &c = lookup(event, s);
    if (c.kind == Kind::other || !c.usable)
        return Kind::other;

    std::int32_t pid = s.trace->env_pid, tid = unknown_id;
    if (c.vpid.index >= 0 || c.vtid.index >= 0) {
        const bt_field *ctx = bt_event_borrow_common_context_field_const(event);
        if (c.vpid.index >= 0)
            pid = static_cast<std::int32_t>(integer(ctx, c.vpid.index, c.vpid.is_signed));
        if (c.vtid.index >= 0)
            tid = static_cast<std::int32_t>(integer(ctx, c.vtid.index, c.vtid.is_signed));
    }
    const bt_field *p = bt_event_borrow_payload_field_const(event);

    if (c.kind == Kind::stack) {
        stack_.pid = pid;
        stack_.time_ns = time_ns;
        decode_stack(c, p);
        return Kind::stack;
    }
    if (c.kind == Kind::refblame) {
        ev.time_ns = time_ns;
        ev.pid = pid;
        ev.tid = tid;
        ev.stream = s.index;
        ev.op = c.op;
        const auto get = [&](SlotName n) -> std::uint64_t {
            const Slot &slot = c.f[n];
            return slot.index >= 0 ? integer(p, slot.index, slot.is_signed) : 0;
        };
        ev.obj = get(s_obj);
        ev.count = static_cast<std::int32_t>(get(s_count));
        ev.val = c.f[s_val].index >= 0 ? static_cast<std::int32_t>(get(s_val)) : c.val_default;
        ev.ret = static_cast<std::int32_t>(get(s_ret));
        ev.caller = get(s_caller);
        ev.holder = get(s_holder);
        ev.from = get(s_from);
        ev.stack_id = static_cast<std::uint32_t>(get(s_stack));
        ev.kind = c.f[s_kind].index >= 0 ? kinds_.intern(bt_field_string_get_value(member(p, c.f[s_kind].index)))
                                         : std::string_view{};
        return Kind::refblame;
    }

    mod = ModuleEvent{};
    mod.kind = c.module;
    mod.time_ns = time_ns;
    mod.pid = pid;
    const auto has = [&](ModuleSlot n) { return c.f[n].index >= 0; };
    const auto get = [&](ModuleSlot n) { return integer(p, c.f[n].index, c.f[n].is_signed); };
    if (has(m_baddr))
        mod.baddr = get(m_baddr);
    if (has(m_memsz))
        mod.memsz = get(m_memsz);
    if (has(m_path))
        mod.path = bt_field_string_get_value(member(p, c.f[m_path].index));
    if (has(m_is_pic))
        mod.is_pic = get(m_is_pic) != 0;
    if (has(m_crc))
        mod.crc = static_cast<std::uint32_t>(get(m_crc));
    if (has(m_filename))
        mod.debug_link = bt_field_string_get_value(member(p, c.f[m_filename].index));
    if (has(m_build_id)) {
        const bt_field *arr = member(p, c.f[m_build_id].index);
        const std::uint64_t n = bt_field_array_get_length(arr);
        mod.build_id.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) {
            const bt_field *e = bt_field_array_borrow_element_field_by_index_const(arr, i);
            const bool sign = bt_field_class_type_is(bt_field_get_class_type(e), BT_FIELD_CLASS_TYPE_SIGNED_INTEGER);
            mod.build_id.push_back(static_cast<std::uint8_t>(sign ? bt_field_integer_signed_get_value(e)
                                                                  : bt_field_integer_unsigned_get_value(e)));
        }
    }
    return Kind::module;
}

} // namespace refblame::analyzer
