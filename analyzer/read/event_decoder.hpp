// event_decoder.hpp: turns one Babeltrace2 event into a refblame Event or a ModuleEvent, with field indexes resolved once per event class.
#pragma once

#include "model/event.hpp"

#include <babeltrace2/babeltrace.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace refblame::analyzer {

// One CTF trace as the reader knows it.
struct TraceInfo {
    std::string dir;                   // the trace directory the user's files live in
    std::int32_t env_pid = unknown_id; // `vpid` of the trace environment (per-PID buffers)
    bool seen = false;                 // a stream of it was read
    bool warned_no_pid = false;
    bool warned_no_tid = false;
    std::vector<Loss> pending;         // losses of skipped files, handed on with the trace's pid once known
};

// Interned object kinds: each view stays valid as long as the table.
class KindTable {
public:
    std::string_view intern(std::string_view kind)
    {
        auto it = kinds_.find(kind);
        if (it == kinds_.end())
            it = kinds_.emplace(kind).first;
        return *it;
    }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_set<std::string, Hash, std::equal_to<>> kinds_;
};

// One CTF stream: the reader's index for it and its trace.
struct StreamInfo {
    std::uint32_t index = 0;
    TraceInfo *trace = nullptr;
};

class EventDecoder {
public:
    enum class Kind : std::uint8_t { other, refblame, module, stack };

    // Warnings (each said once) are appended to `warnings`. One decoder per
    // graph: its cache is keyed by that graph's event classes.
    EventDecoder(KindTable &kinds, std::vector<std::string> &warnings) : kinds_(kinds), warnings_(warnings) {}

    // Decodes the event of an event message from stream `s`, at `time_ns` (its
    // default clock snapshot from origin; none or not positive: 0). Fills `ev` for
    // refblame events and `mod` for statedump/lib events; a refblame:stack
    // event (Kind::stack) is in stack() until the next decode. Throws UserError
    // naming the trace and field when a refblame event lacks a required field.
    Kind decode(const bt_message *msg, std::uint64_t time_ns, const StreamInfo &s, Event &ev,
                ModuleEvent &mod);
    const StackEvent &stack() const { return stack_; }

private:
    // A payload member resolved once per event class: index < 0 when absent.
    struct Slot {
        std::int64_t index = -1;
        bool is_signed = false;
    };
    enum SlotName : std::uint8_t { s_obj, s_count, s_val, s_ret, s_caller, s_holder, s_from, s_kind, s_stack, slot_count };
    // Module events reuse the slots under these names, refblame:stack under k_*.
    enum ModuleSlot : std::uint8_t { m_baddr, m_memsz, m_path, m_is_pic, m_build_id, m_crc, m_filename };
    enum StackSlot : std::uint8_t { k_id, k_frames };

    struct ClassInfo {
        Kind kind = Kind::other;
        Op op = Op::mod;
        ModuleEvent::Kind module = ModuleEvent::Kind::bin_info;
        bool has_clock = false;
        bool usable = true; // module classes missing a field are skipped
        std::array<Slot, slot_count> f{};
        Slot vpid, vtid;
        std::int32_t val_default = 0; // ref_get/ref_put carry no val: +1 / -1
    };

    const ClassInfo &lookup(const bt_event *event, const StreamInfo &s);
    ClassInfo resolve(const bt_event_class *cls, const StreamInfo &s);
    void resolve_refblame(ClassInfo &info, const bt_event_class *cls, std::string_view op_name, const StreamInfo &s);
    void resolve_module(ClassInfo &info, const bt_event_class *cls, std::string_view name);
    void resolve_stack(ClassInfo &info, const bt_event_class *cls, const StreamInfo &s);
    void decode_stack(const ClassInfo &c, const bt_field *payload);
    void warn_once(const std::string &message);

    KindTable &kinds_;
    std::vector<std::string> &warnings_;
    std::unordered_set<std::string> said_;
    std::unordered_map<const bt_event_class *, ClassInfo> classes_;
    const bt_event_class *last_class_ = nullptr;
    const ClassInfo *last_info_ = nullptr;
    StackEvent stack_; // reused: frames keep their capacity
};

} // namespace refblame::analyzer
