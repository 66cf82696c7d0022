// text_reports.cpp: every query's answer as text a person reads first: rankings on top, details below.
#include "format/findings_view.hpp"
#include "format/ranking.hpp"
#include "format/reports.hpp"
#include "format/site_merge.hpp"
#include "format/site_view.hpp"
#include "format/stack_view.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdarg>
#include <cstdio>
#include <set>

namespace refblame::analyzer {

namespace {

constexpr std::size_t max_listed = 10; // failed freezes / objects detailed in text
constexpr std::size_t max_stacks = 3;  // holders of one list whose recorded stack is shown

// printf into a std::string
std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char *f, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

// Seconds since the first event of the trace.
std::string when(const TraceSummary &t, std::uint64_t ns)
{
    double s = ns >= t.first_ns ? double(ns - t.first_ns) / 1e9 : 0.0;
    return fmt("%.6f s", s);
}

// A duration as a person reads it: 850 ns, 12.5 us, 3.2 ms, 4.25 s, 12.0 min, 3.1 h.
std::string duration(std::uint64_t ns)
{
    const double d = static_cast<double>(ns);
    if (ns < 1'000)
        return fmt("%" PRIu64 " ns", ns);
    if (ns < 1'000'000)
        return fmt("%.1f us", d / 1e3);
    if (ns < 1'000'000'000)
        return fmt("%.1f ms", d / 1e6);
    if (ns < 120'000'000'000ull)
        return fmt("%.2f s", d / 1e9);
    if (ns < 7'200'000'000'000ull)
        return fmt("%.1f min", d / 60e9);
    return fmt("%.1f h", d / 3600e9);
}

// Where events were lost: one line per CTF trace (process), its loss records merged (JSON lists each one).
std::string loss_places(const TraceSummary &t)
{
    struct Place {
        std::int32_t pid = unknown_id;
        std::uint64_t records = 0, events = 0, packets = 0, unknown = 0, unread = 0;
        std::uint64_t begin = UINT64_MAX, end = 0;
    };
    std::vector<std::pair<std::string, Place>> places; // in first-seen order
    for (const Loss &l : t.losses) {
        auto it = std::find_if(places.begin(), places.end(), [&](const auto &p) { return p.first == l.trace; });
        if (it == places.end())
            it = places.insert(places.end(), {l.trace, Place{}});
        Place &p = it->second;
        p.pid = l.pid;
        ++p.records;
        if (l.begin_ns == 0 && l.end_ns == 0) {
            ++p.unread; // a stream or trace that could not be read at all
            continue;
        }
        p.begin = std::min(p.begin, l.begin_ns);
        p.end = std::max(p.end, l.end_ns);
        if (l.count == 0 || l.count >= (std::uint64_t{1} << 48))
            ++p.unknown;
        else
            (l.packets ? p.packets : p.events) += l.count;
    }
    std::string out;
    for (const auto &[trace, p] : places) {
        out += fmt("  lost in %s (pid %d): %" PRIu64 " loss record%s", trace.c_str(), p.pid, p.records,
                   p.records == 1 ? "" : "s");
        if (p.end > 0)
            out += " between " + when(t, p.begin) + " and " + when(t, p.end);
        out += fmt(", %" PRIu64 " events", p.events);
        if (p.packets)
            out += fmt(" and %" PRIu64 " packets", p.packets);
        if (p.unknown)
            out += fmt(" (+ %" PRIu64 " record%s of unknown size)", p.unknown, p.unknown == 1 ? "" : "s");
        if (p.unread)
            out += fmt("; %" PRIu64 " stream file%s could not be read at all", p.unread, p.unread == 1 ? "" : "s");
        out += "\n";
    }
    return out;
}

std::string completeness(const TraceSummary &t)
{
    std::string out;
    if (t.lost_events || t.lost_packets || !t.losses.empty()) {
        out += fmt("WARNING: the tracer lost events (%" PRIu64 " events, %" PRIu64
                   " packets reported); objects that may have lost events are marked [uncertain], "
                   "and none of their holders is exact.\n",
                   t.lost_events, t.lost_packets);
        out += loss_places(t);
    }
    for (const std::string &w : t.warnings)
        out += "warning: " + w + "\n";
    return out;
}

std::string symbol_warnings(Symbolizer &sym)
{
    std::string out;
    for (const std::string &w : sym.warnings())
        out += "note: " + w + "\n";
    return out;
}

// The references held at `at_ns` (a failed freeze, a free, the end of the trace), how long each has been held.
std::string holder_rows(const std::vector<HeldRefs> &holders, std::uint64_t at_ns, Symbolizer &sym,
                        bool mark_expected)
{
    std::string out = "     refs  rule      tid      held for    site\n";
    std::size_t stacks_shown = 0; // the stacks of the top holders, when recorded
    for (const HeldRefs &h : holders) {
        out += fmt("    %5d  %-8s  %-7d  %-10s  %s", h.refs, std::string(confidence_name(h.confidence)).c_str(),
                   h.tid, duration(at_ns > h.since_ns ? at_ns - h.since_ns : 0).c_str(),
                   site_label(sym.resolve(h.site)).c_str());
        if (h.holder)
            out += "  holder " + hex(h.holder);
        if (mark_expected)
            out += h.expected ? "  (expected)" : "  <- extra";
        if (h.uncertain)
            out += "  [uncertain]";
        out += "\n";
        if (stacks_shown < max_stacks && !(mark_expected && h.expected)) {
            std::string stack = stack_text(h.site, sym, std::string(46, ' '));
            stacks_shown += !stack.empty();
            out += stack;
        }
    }
    return out;
}

const char *legend = "rules: exact = tracked holder (get/put with a holder); inferred = paired by the trace's own "
                     "evidence; guess = no evidence either way (oldest open reference).\n";

} // namespace

std::string blockers_text(const TraceSummary &t, const std::vector<Blocked> &blocked, Symbolizer &sym)
{
    std::set<std::pair<std::int32_t, std::uint64_t>> objects;
    std::set<std::int32_t> pids;
    for (const Blocked &b : blocked) {
        objects.insert({b.object.pid, b.object.obj});
        pids.insert(b.object.pid);
    }
    std::string out = fmt("%zu failed freezes on %zu objects in %zu process%s (%" PRIu64 " events read from %s)\n",
                          blocked.size(), objects.size(), pids.size(), pids.size() == 1 ? "" : "es", t.events,
                          t.trace.c_str());
    out += completeness(t);
    if (blocked.empty())
        return out + "No freeze failed: nothing was blocked.\n" + symbol_warnings(sym);

    out += "\nWho blocked them (extra references at failed freezes, by acquire site):\n";
    out += "  blocked   refs  rule      site\n";
    for (const RankedSite &r : rank_blocking_sites(blocked, sym))
        out += fmt("  %7" PRIu64 "  %5" PRIu64 "  %-8s  %s%s\n", r.blocked, r.refs,
                   std::string(confidence_name(r.confidence)).c_str(), site_label(r.site).c_str(),
                   r.uncertain ? "  [uncertain]" : "");

    out += "\nFailed freezes:\n";
    for (std::size_t i = 0; i < blocked.size() && i < max_listed; ++i) {
        const Blocked &b = blocked[i];
        out += fmt("  %s %s (pid %d) at %s: expected %d, count %d%s\n", b.kind.c_str(), hex(b.object.obj).c_str(),
                   b.object.pid, when(t, b.time_ns).c_str(), b.expected, b.count,
                   b.uncertain ? "  [uncertain: events lost on this object]" : "");
        out += "    freeze at " + site_label(sym.resolve(b.freeze_site)) + "\n";
        out += holder_rows(b.holders, b.time_ns, sym, true);
    }
    if (blocked.size() > max_listed)
        out += fmt("  ... %zu more (--format json lists every one)\n", blocked.size() - max_listed);
    return out + "\n" + legend + symbol_warnings(sym);
}

std::string holders_text(const TraceSummary &t, const ObjectState &s, Symbolizer &sym)
{
    std::string out = fmt("%s %s (pid %d, generation %u) at %s: count %d%s%s\n", s.kind.c_str(),
                          hex(s.object.obj).c_str(), s.object.pid, s.object.generation, when(t, s.time_ns).c_str(),
                          s.count, s.freed ? ", freed" : "",
                          s.uncertain ? "  [uncertain: events lost on this object]" : "");
    out += completeness(t);
    if (s.holders.empty())
        return out + "No reference is held.\n" + symbol_warnings(sym);
    return out + holder_rows(s.holders, s.time_ns, sym, false) + legend + symbol_warnings(sym);
}

std::string leaks_text(const TraceSummary &t, const std::vector<LeakedObject> &leaks, Symbolizer &sym,
                       const std::vector<Finding> &findings)
{
    struct Row {
        std::uint64_t refs = 0, objects = 0, freed = 0;
    };
    SiteMerge<Row> merge(sym);
    std::size_t freed = 0;
    for (const LeakedObject &l : leaks) {
        std::set<Row *> seen;
        freed += l.state.freed ? 1 : 0;
        for (const HeldRefs &h : l.state.holders) {
            Row &r = merge.at(h.site);
            r.refs += static_cast<std::uint64_t>(h.refs);
            if (seen.insert(&r).second) {
                ++r.objects;
                r.freed += l.state.freed ? 1 : 0;
            }
        }
    }
    std::string out = fmt("%zu objects with references still held (%zu freed with refs, %zu alive at the end)\n",
                          leaks.size(), freed, leaks.size() - freed);
    out += completeness(t);
    if (leaks.empty())
        return out + "No leaked reference.\n" + findings_text(t, findings, sym) + symbol_warnings(sym);
    out += "\n"; // by acquire site, most refs first, as LeakSanitizer words it
    for (auto &[site, r] : std::move(merge).sorted([](const Row &a, const Row &b) { return a.refs > b.refs; }))
        out += fmt("%" PRIu64 " ref%s on %" PRIu64 " object%s (%" PRIu64 " freed with refs held) acquired at %s\n",
                   r.refs, r.refs == 1 ? "" : "s", r.objects, r.objects == 1 ? "" : "s", r.freed,
                   site_label(site).c_str());
    out += "\nObjects:\n";
    for (std::size_t i = 0; i < leaks.size() && i < max_listed; ++i) {
        const ObjectState &s = leaks[i].state;
        out += fmt("  %s %s (pid %d): count %d %s%s\n", s.kind.c_str(), hex(s.object.obj).c_str(), s.object.pid,
                   s.count, s.freed ? "at obj_free" : "at end of trace", s.uncertain ? "  [uncertain]" : "");
        out += holder_rows(s.holders, s.time_ns, sym, false);
    }
    if (leaks.size() > max_listed)
        out += fmt("  ... %zu more (--format json lists every one)\n", leaks.size() - max_listed);
    out += findings_text(t, findings, sym);
    return out + "\n" + legend + symbol_warnings(sym);
}

std::string history_text(const TraceSummary &t, const ObjectKey &obj, const std::vector<HistoryEntry> &h,
                         Symbolizer &sym)
{
    std::string out = fmt("history of %s (pid %d): %zu events\n", hex(obj.obj).c_str(), obj.pid, h.size());
    out += completeness(t);
    out += "  time          tid      gen  event               count    val  site\n";
    for (const HistoryEntry &e : h) {
        const Event &ev = e.event;
        const SymbolizedSite &at = sym.resolve(SiteKey{ev.pid, ev.caller, ev.stack_id});
        const std::string at_file = at.resolved ? at.file : std::string();
        std::string line = fmt("  %-12s  %-7d  %3u  %-18s  %5d  %5d  %s", when(t, ev.time_ns).c_str(), ev.tid,
                               e.generation, std::string(op_name(ev.op)).c_str(), ev.count, ev.val,
                               site_label(at).c_str());
        // What follows the site goes on lines of its own when it would pass 100 columns.
        const auto append = [&](const std::string &note) {
            if (line.size() + 2 + note.size() > 100) {
                out += line + "\n";
                line = "                -> " + note;
            } else {
                line += "  " + note;
            }
        };
        if (ev.holder)
            append("holder " + hex(ev.holder));
        if (e.paired_with) { // in the event's own file the line says enough
            const SymbolizedSite &got = sym.resolve(*e.paired_with);
            std::string label = got.resolved && !at_file.empty() && got.file == at_file
                                    ? (got.function.empty() ? "??" : got.function) + " :" + std::to_string(got.line)
                                    : site_label(got);
            append("undoes " + label + " [" + std::string(confidence_name(e.pairing.value_or(Confidence::guess))) +
                   "]");
        }
        if (e.continuity_break)
            append("[continuity break: events lost or reordered before this]");
        out += line + "\n";
    }
    return out + symbol_warnings(sym);
}

std::string sites_text(const TraceSummary &t, const std::vector<SiteStats> &sites, Symbolizer &sym)
{
    std::string out = fmt("%zu acquire sites (%" PRIu64 " events)\n", sites.size(), t.events);
    out += completeness(t);
    out += "  blocked     gets     puts  outstanding  median hold   max hold  site\n";
    for (auto &[site, r] : merge_site_stats(sites, sym))
        out += fmt("  %7" PRIu64 "  %7" PRIu64 "  %7" PRIu64 "  %11" PRIu64 "  %11s  %9s  %s\n", r.blocked, r.gets,
                   r.puts, r.outstanding, r.puts ? duration(r.hold_ns_median).c_str() : "-",
                   r.puts ? duration(r.hold_ns_max).c_str() : "-", site_label(site).c_str());
    return out + symbol_warnings(sym);
}

std::string stats_text(const TraceSummary &t, const std::vector<Finding> &findings, Symbolizer &sym)
{
    std::string out = fmt("trace:             %s\n", t.trace.c_str());
    out += fmt("refblame events:   %" PRIu64 "\n", t.events);
    for (std::size_t op = 0; op < t.events_by_op.size(); ++op)
        if (t.events_by_op[op])
            out += fmt("  %-18s %10" PRIu64 "\n", std::string(op_name(static_cast<Op>(op))).c_str(), t.events_by_op[op]);
    out += fmt("objects:           %" PRIu64 " generations of %" PRIu64 " addresses (%" PRIu64 " uncertain)\n",
               t.objects, t.addresses, t.uncertain_objects);
    out += fmt("processes:         %" PRIu64 ", threads: %" PRIu64 "\n", t.processes, t.threads);
    out += fmt("duration:          %s\n", duration(t.last_ns > t.first_ns ? t.last_ns - t.first_ns : 0).c_str());
    if (t.continuity_breaks || t.reordered_events)
        out += fmt("continuity:        %" PRIu64 " breaks, %" PRIu64 " events put back in order\n",
                   t.continuity_breaks, t.reordered_events);
    out += fmt("lost events:       %" PRIu64 "\n", t.lost_events);
    out += fmt("lost packets:      %" PRIu64 "\n", t.lost_packets);
    out += fmt("program bugs:      %" PRIu64 "\n", t.findings);
    return out + completeness(t) + findings_text(t, findings, sym) + symbol_warnings(sym);
}

} // namespace refblame::analyzer
