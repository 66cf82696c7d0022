// json_reports.cpp: every query's answer as one JSON object, in the schema DESIGN.md fixes.
#include "format/blocked_writer.hpp"
#include "format/findings_view.hpp"
#include "format/json_stream.hpp"
#include "format/ranking.hpp"
#include "format/reports.hpp"
#include "format/site_merge.hpp"
#include "format/site_view.hpp"

#include <functional>
#include <set>
#include <stdexcept>

namespace refblame::analyzer {

using nlohmann::json;

namespace {

json object_fields(const ObjectKey &o)
{
    return {{"pid", o.pid}, {"object", hex(o.obj)}, {"generation", o.generation}};
}

json holders_array(const std::vector<HeldRefs> &holders, Symbolizer &sym)
{
    json a = json::array();
    for (const HeldRefs &h : holders)
        a.push_back(holder_json(h, sym));
    return a;
}

json losses_json(const TraceSummary &t)
{
    json a = json::array();
    for (const Loss &l : t.losses) {
        json j = {{"trace", l.trace}, {"begin_ns", l.begin_ns}, {"end_ns", l.end_ns},
                  {"what", l.packets ? "packets" : "events"}};
        j["pid"] = l.pid >= 0 ? json(l.pid) : json(nullptr);
        j["count"] = l.count ? json(l.count) : json(nullptr); // null: lost, count unknown
        a.push_back(std::move(j));
    }
    return a;
}

void header(json &j, const TraceSummary &t)
{
    j["trace"] = t.trace;
    j["events"] = t.events;
    j["lost_events"] = t.lost_events;
    if (t.lost_packets)
        j["lost_packets"] = t.lost_packets;
    if (!t.losses.empty())
        j["losses"] = losses_json(t);
    j["warnings"] = t.warnings;
    if (!t.process_ends.empty())
        j["process_ends"] = process_ends_json(t.process_ends);
}

} // namespace

namespace {

// BlockedWriter writes the same object as text for the streamed output: a key changed here must change
// there (Reports.StreamedBlockersJson* and the replay fuzzer compare the two).
json blocked_json(const Blocked &b, Symbolizer &sym)
{
    json e = object_fields(b.object);
    e["kind"] = b.kind;
    e["time_ns"] = b.time_ns;
    e["tid"] = b.tid;
    e["expected"] = b.expected;
    e["count"] = b.count;
    e["freeze_site"] = site_json(sym.resolve(b.freeze_site));
    if (b.uncertain)
        e["uncertain"] = true;
    e["holders"] = holders_array(b.holders, sym);
    return e;
}

// Everything but the failed freezes themselves ("blocked" left empty).
json blockers_frame(const TraceSummary &t, const std::vector<Blocked> &blocked, Symbolizer &sym);

} // namespace

json blockers_json(const TraceSummary &t, const std::vector<Blocked> &blocked, Symbolizer &sym)
{
    json list = json::array(); // first: its sites (expected holders, freezers) are not all ranked in the frame,
    for (const Blocked &b : blocked) // whose symbol_warnings must know every site shown
        list.push_back(blocked_json(b, sym));
    json j = blockers_frame(t, blocked, sym);
    j["blocked"] = std::move(list);
    return j;
}

void write_blockers_json(std::FILE *out, const TraceSummary &t, const std::vector<Blocked> &blocked,
                         Symbolizer &sym)
{
    // "blocked" is the first key: its elements are made (and their sites symbolized) before the
    // frame, so the frame's symbol_warnings know every site.
    std::fputs("{\n  \"blocked\": [", out);
    BlockedWriter writer(sym); // blocked_json's text, without building it
    write_elements(out, blocked.size(),
                   JsonText([&](std::size_t i, std::string &text) { writer.write(blocked[i], text); }));
    const std::string frame = blockers_frame(t, blocked, sym).dump(2);
    const std::string empty = "{\n  \"blocked\": [";
    if (frame.compare(0, empty.size(), empty) != 0)
        throw std::logic_error("blockers JSON: \"blocked\" is not the first key");
    std::fputs((frame.substr(empty.size()) + "\n").c_str(), out);
}

namespace {

json blockers_frame(const TraceSummary &t, const std::vector<Blocked> &blocked, Symbolizer &sym)
{
    json j;
    header(j, t);
    j["blocked"] = json::array();
    json sites = json::array();
    for (const RankedSite &r : rank_blocking_sites(blocked, sym)) {
        json s = {{"site", site_json(r.site)}, {"blocked", r.blocked}, {"refs", r.refs},
                  {"confidence", std::string(confidence_name(r.confidence))}};
        if (r.uncertain)
            s["uncertain"] = true;
        sites.push_back(std::move(s));
    }
    j["sites"] = std::move(sites);
    j["symbol_warnings"] = sym.warnings();
    return j;
}

} // namespace

json holders_json(const TraceSummary &t, const ObjectState &s, Symbolizer &sym)
{
    json j = object_fields(s.object);
    j["trace"] = t.trace;
    j["lost_events"] = t.lost_events;
    j["kind"] = s.kind;
    j["time_ns"] = s.time_ns;
    j["count"] = s.count;
    j["freed"] = s.freed;
    j["uncertain"] = s.uncertain;
    j["holders"] = holders_array(s.holders, sym);
    j["warnings"] = t.warnings;
    j["symbol_warnings"] = sym.warnings();
    return j;
}

json leaks_json(const TraceSummary &t, const std::vector<LeakedObject> &leaks, Symbolizer &sym,
                const std::vector<Finding> &findings)
{
    struct Row {
        std::uint64_t refs = 0, objects = 0, freed_with_refs = 0;
        bool uncertain = false;
    };
    SiteMerge<Row> merge(sym);
    json objects = json::array();
    for (const LeakedObject &l : leaks) {
        const ObjectState &s = l.state;
        std::set<Row *> seen;
        for (const HeldRefs &h : s.holders) {
            Row &r = merge.at(h.site);
            r.refs += static_cast<std::uint64_t>(h.refs);
            r.uncertain = r.uncertain || h.uncertain || s.uncertain;
            if (seen.insert(&r).second) {
                ++r.objects;
                r.freed_with_refs += s.freed ? 1 : 0;
            }
        }
        json o = object_fields(s.object);
        o["kind"] = s.kind;
        o["count"] = s.count;
        o["freed"] = s.freed;
        o["time_ns"] = s.time_ns;
        if (s.uncertain)
            o["uncertain"] = true;
        o["holders"] = holders_array(s.holders, sym);
        objects.push_back(std::move(o));
    }
    json j;
    header(j, t);
    json sites = json::array();
    for (auto &[site, r] : std::move(merge).sorted([](const Row &a, const Row &b) { return a.refs > b.refs; })) {
        json s = {{"site", site_json(site)}, {"refs", r.refs}, {"objects", r.objects},
                  {"freed_with_refs", r.freed_with_refs}};
        if (r.uncertain)
            s["uncertain"] = true;
        sites.push_back(std::move(s));
    }
    j["sites"] = std::move(sites);
    j["objects"] = std::move(objects);
    j["findings"] = findings_json(findings, sym);
    j["symbol_warnings"] = sym.warnings();
    return j;
}

json history_json(const TraceSummary &t, const ObjectKey &obj, const std::vector<HistoryEntry> &h, Symbolizer &sym)
{
    json j = object_fields(obj);
    header(j, t);
    json events = json::array();
    for (const HistoryEntry &e : h) {
        const Event &ev = e.event;
        json x = {{"time_ns", ev.time_ns}, {"tid", ev.tid},      {"event", std::string(op_name(ev.op))},
                  {"count", ev.count},     {"val", ev.val},      {"ret", ev.ret},
                  {"generation", e.generation}};
        x["holder"] = ev.holder ? json(hex(ev.holder)) : json(nullptr);
        if (ev.op == Op::move)
            x["from"] = ev.from ? json(hex(ev.from)) : json(nullptr);
        if (ev.op == Op::obj_init)
            x["kind"] = std::string(ev.kind);
        x["site"] = site_json(sym.resolve(SiteKey{ev.pid, ev.caller, ev.stack_id}));
        if (e.continuity_break)
            x["continuity_break"] = true;
        if (e.paired_with) {
            x["paired_with"] = site_json(sym.resolve(*e.paired_with));
            x["pairing"] = std::string(confidence_name(e.pairing.value_or(Confidence::guess)));
        }
        events.push_back(std::move(x));
    }
    j["history"] = std::move(events);
    j["symbol_warnings"] = sym.warnings();
    return j;
}

json sites_json(const TraceSummary &t, const std::vector<SiteStats> &sites, Symbolizer &sym)
{
    json j;
    header(j, t);
    json rows = json::array();
    for (auto &[site, r] : merge_site_stats(sites, sym)) {
        rows.push_back({{"site", site_json(site)},
                        {"gets", r.gets},
                        {"puts", r.puts},
                        {"outstanding", r.outstanding},
                        {"hold_ns_mean", r.puts ? r.hold_ns_total / r.puts : 0},
                        {"hold_ns_median", r.hold_ns_median},
                        {"hold_ns_max", r.hold_ns_max},
                        {"blocked", r.blocked},
                        {"blocked_refs", r.blocked_refs}});
    }
    j["sites"] = std::move(rows);
    j["symbol_warnings"] = sym.warnings();
    return j;
}

json stats_json(const TraceSummary &t, const std::vector<Finding> &findings, Symbolizer &sym)
{
    json j;
    header(j, t);
    j["objects"] = t.objects;
    j["processes"] = t.processes;
    j["uncertain_objects"] = t.uncertain_objects;
    j["first_ns"] = t.first_ns;
    j["last_ns"] = t.last_ns;
    j["duration_ns"] = t.last_ns > t.first_ns ? t.last_ns - t.first_ns : 0;
    j["threads"] = t.threads;
    j["addresses"] = t.addresses;
    j["continuity_breaks"] = t.continuity_breaks;
    j["reordered_events"] = t.reordered_events;
    json by_kind = json::object();
    for (std::size_t op = 0; op < t.events_by_op.size(); ++op)
        if (t.events_by_op[op])
            by_kind[std::string(op_name(static_cast<Op>(op)))] = t.events_by_op[op];
    j["events_by_kind"] = std::move(by_kind);
    j["findings_total"] = t.findings;
    j["findings"] = findings_json(findings, sym);
    j["symbol_warnings"] = sym.warnings();
    return j;
}

void write_stats_json(std::FILE *out, const TraceSummary &t, const std::vector<Finding> &findings, Symbolizer &sym)
{
    for (const Finding &f : findings) // every site symbolized first: the frame's symbol_warnings know them all
        sym.resolve(f.site);
    write_streamed(out, stats_json(t, {}, sym), "findings", findings.size(),
                   [&](std::size_t i) { return finding_json(findings[i], sym); });
}

} // namespace refblame::analyzer
