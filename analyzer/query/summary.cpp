// summary.cpp: counts from the replay, lost events from the reader, and a plain-words warning for each gap.
#include "query/summary.hpp"

#include <set>
#include <string>

namespace refblame::analyzer::query {

namespace {

// babeltrace2 2.0 printed wrapped-around counts (2^64 - N) for per-PID streams: not a count.
constexpr std::uint64_t implausible_count = std::uint64_t{1} << 48;

std::string n(std::uint64_t v)
{
    return std::to_string(v);
}

} // namespace

TraceSummary make_summary(const replay::ReplayCounters &c, std::uint64_t findings_dropped)
{
    TraceSummary s;
    s.events = c.events;
    s.events_by_op = c.by_op;
    s.objects = c.generations;
    s.addresses = c.addresses;
    s.processes = c.pids.size();
    s.threads = c.threads.size();
    s.uncertain_objects = c.uncertain_generations;
    s.first_ns = c.first_ns;
    s.last_ns = c.last_ns;
    s.continuity_breaks = c.breaks;
    s.reordered_events = c.reordered;
    s.findings = c.findings;
    s.losses = c.losses;

    bool wrapped = false;
    std::uint64_t unread = 0; // records of a stream or trace that could not be read at all (no range, no count)
    std::set<std::int32_t> loss_pids;
    for (const Loss &l : c.losses) {
        loss_pids.insert(l.pid);
        if (l.begin_ns == 0 && l.end_ns == 0 && l.count == 0)
            ++unread;
        else if (l.count >= implausible_count)
            wrapped = true;
        else if (l.packets)
            s.lost_packets += l.count;
        else
            s.lost_events += l.count;
    }
    if (!c.losses.empty()) {
        std::string w = "events are missing: the tracer discarded " + n(s.lost_events) + " events";
        if (s.lost_packets > 0)
            w += " and " + n(s.lost_packets) + " packets";
        w += " in " + n(c.losses.size() - unread) + " loss records";
        if (unread > 0)
            w += ", and " + n(unread) + " stream file(s) or trace(s) could not be read at all";
        w += " (" + n(loss_pids.size()) + " process(es))";
        if (wrapped)
            w += "; some records gave an implausible count (a wrapped-around 2^64 - N) that was not added";
        w += ". " + n(c.uncertain_generations) + " object(s) are marked uncertain (" + n(c.spanned_loss) +
             " of them because they were operated on both before and after a loss in their process, the others "
             "because their counts broke); objects touched only before a loss, or created after it, keep their "
             "answers. Record again with larger buffers (and without --allow-loss) for a complete trace.";
        s.warnings.push_back(w);
    }
    if (c.breaks > c.breaks_after_loss)
        s.warnings.push_back(n(c.breaks - c.breaks_after_loss) +
                             " event(s) did not follow their object's count with no loss recorded before them "
                             "(events reordered beyond the replay window, or the counter was changed without the "
                             "refblame API): those objects are marked uncertain.");
    if (c.unknown_origin_objects > 0)
        s.warnings.push_back(n(c.unknown_origin_objects) +
                             " object(s) were first seen already holding references taken before tracing "
                             "started (or without obj_init): those references have no known site and are "
                             "labelled guess.");
    if (c.unknown_holder_puts > 0)
        s.warnings.push_back(n(c.unknown_holder_puts) +
                             " tracked put(s) or move(s) named a holder that held no reference (lost events, or "
                             "a holder that put twice): they were paired like anonymous puts.");
    if (findings_dropped > 0)
        s.warnings.push_back(n(findings_dropped) + " more program bug finding(s) were counted but not listed.");
    return s;
}

} // namespace refblame::analyzer::query
