// holder_groups.cpp: labels and groups open references for reports.
#include "query/holder_groups.hpp"

#include <algorithm>
#include <tuple>

namespace refblame::analyzer::query {

Confidence held_confidence(const replay::ObjectState &obj, const replay::OpenRef &ref)
{
    if (ref.origin == replay::RefOrigin::unknown)
        return Confidence::guess;
    if (ref.holder != 0)
        return obj.uncertain || ref.adopted_guess ? Confidence::inferred : Confidence::exact;
    return ref.p_open >= inferred_open_belief ? Confidence::inferred : Confidence::guess;
}

std::vector<HeldUnit> held_units(const replay::ObjectState &obj)
{
    std::vector<HeldUnit> units;
    units.reserve(obj.refs.size());
    for (const replay::OpenRef &r : obj.refs) {
        HeldUnit u;
        u.site = r.site;
        u.tid = r.tid;
        u.since_ns = r.time_ns;
        u.holder = r.holder;
        u.confidence = held_confidence(obj, r);
        u.uncertain = obj.uncertain;
        u.base = r.origin == replay::RefOrigin::base;
        u.units = r.units;
        units.push_back(u);
    }
    return units;
}

std::vector<HeldRefs> group_holders(const std::vector<HeldUnit> &units)
{
    std::vector<HeldRefs> groups;
    for (const HeldUnit &u : units) {
        if (u.units <= 0)
            continue;
        auto same = [&](const HeldRefs &g) {
            return g.site == u.site && g.tid == u.tid && g.holder == u.holder && g.confidence == u.confidence &&
                   g.expected == u.expected;
        };
        auto it = std::find_if(groups.begin(), groups.end(), same);
        if (it == groups.end()) {
            HeldRefs g;
            g.site = u.site;
            g.tid = u.tid;
            g.since_ns = u.since_ns;
            g.holder = u.holder;
            g.confidence = u.confidence;
            g.uncertain = u.uncertain;
            g.expected = u.expected;
            groups.push_back(g);
            it = groups.end() - 1;
        }
        it->refs += u.units;
        it->since_ns = std::min(it->since_ns, u.since_ns);
    }
    std::sort(groups.begin(), groups.end(), [](const HeldRefs &a, const HeldRefs &b) {
        return std::make_tuple(a.expected, -a.refs, a.since_ns, a.site.address, a.tid) <
               std::make_tuple(b.expected, -b.refs, b.since_ns, b.site.address, b.tid);
    });
    return groups;
}

ObjectState object_report(const replay::ObjectState &obj, std::uint64_t time_ns)
{
    ObjectState s;
    s.object = obj.key;
    s.kind = std::string(obj.kind);
    s.time_ns = time_ns;
    s.count = obj.count;
    s.uncertain = obj.uncertain;
    s.freed = obj.freed;
    s.holders = group_holders(held_units(obj));
    return s;
}

} // namespace refblame::analyzer::query
