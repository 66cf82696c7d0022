// object_queries.cpp: snapshots one object's holders at --at (or the end) and records its history.
#include "query/object_queries.hpp"

#include "query/holder_groups.hpp"
#include "user_error.hpp"

#include <cinttypes>
#include <cstdio>

namespace refblame::analyzer::query {

namespace {

std::string hex(std::uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

} // namespace

ObjectQueries::ObjectQueries(std::uint64_t object, std::optional<std::uint64_t> at_ns, bool history,
                             std::set<std::string, std::less<>> &strings)
    : object_(object), at_ns_(at_ns), keep_history_(history), strings_(strings)
{
}

void ObjectQueries::before_event(const replay::ObjectState &obj, const Event &e)
{
    if (obj.key.obj != object_)
        return;
    PerProcess &p = processes_[obj.key.pid];
    if (p.first_ns == 0)
        p.first_ns = e.time_ns;
    if (at_ns_ && !p.decided && e.time_ns > *at_ns_) {
        p.decided = true;
        if (obj.events > 0 || obj.units > 0) // it existed (or held refs from before the trace) at --at
            p.at = object_report(obj, *at_ns_);
    }
    paired_.reset();
}

void ObjectQueries::on_release(const replay::ObjectState &obj, const Event &, const replay::Release &r)
{
    if (obj.key.obj != object_ || paired_)
        return;
    Confidence c = r.confidence;
    if (obj.uncertain && c == Confidence::exact)
        c = Confidence::inferred;
    paired_ = Paired{r.ref->site, c, r.ref->time_ns, r.ref->tid};
}

void ObjectQueries::on_applied(const replay::ObjectState &obj, const Event &e, bool continuity_break)
{
    if (obj.key.obj != object_)
        return;
    PerProcess &p = processes_[obj.key.pid];
    p.latest = object_report(obj, e.time_ns);
    if (!keep_history_)
        return;
    HistoryEntry h;
    h.event = e;
    if (!e.kind.empty())
        h.event.kind = *strings_.emplace(e.kind).first;
    h.generation = obj.key.generation;
    h.continuity_break = continuity_break;
    h.uncertain = obj.uncertain;
    if (paired_) {
        h.paired_with = paired_->site;
        h.pairing = paired_->confidence;
        h.paired_get_ns = paired_->since_ns;
        h.paired_get_tid = paired_->tid;
    }
    paired_.reset();
    history_.push_back(h);
}

void ObjectQueries::on_generation_end(const replay::ObjectState &obj, std::uint64_t time_ns, replay::EndReason why)
{
    if (obj.key.obj != object_)
        return;
    PerProcess &p = processes_[obj.key.pid];
    p.latest = object_report(obj, time_ns);
    p.latest->freed = why != replay::EndReason::end_of_trace;
}

std::vector<ObjectState> ObjectQueries::holders(std::uint64_t end_ns) const
{
    std::vector<ObjectState> out;
    std::uint64_t first = 0;
    for (const auto &[pid, p] : processes_) {
        first = first == 0 ? p.first_ns : std::min(first, p.first_ns);
        if (p.decided) {
            if (p.at)
                out.push_back(*p.at);
        } else if (p.latest) {
            out.push_back(*p.latest);
            out.back().time_ns = at_ns_ ? *at_ns_ : end_ns;
        }
    }
    if (processes_.empty())
        throw UserError("object " + hex(object_) +
                        " does not appear in the trace: no refblame event names it (check the address, and "
                        "--pid; `refblame leaks` and `refblame blockers` list the objects seen)");
    if (out.empty())
        throw UserError("object " + hex(object_) + " did not exist yet at --at " + std::to_string(*at_ns_) +
                        " ns: its first event is at " + std::to_string(first) + " ns");
    return out;
}

} // namespace refblame::analyzer::query
