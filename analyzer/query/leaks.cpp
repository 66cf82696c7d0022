// leaks.cpp: LeakSanitizer-style grouping: "N refs on M objects acquired at SITE".
#include "query/leaks.hpp"

#include "query/holder_groups.hpp"

#include <algorithm>
#include <tuple>

namespace refblame::analyzer::query {

void LeaksQuery::on_end(const replay::ObjectState &obj, std::uint64_t time_ns, bool freed)
{
    if (obj.count <= 0 && obj.refs.empty())
        return;
    LeakedObject leak;
    leak.state = object_report(obj, time_ns);
    leak.state.freed = freed;
    const std::vector<HeldRefs> &holders = leak.state.holders;
    for (std::size_t k = 0; k < holders.size(); ++k) {
        const HeldRefs &h = holders[k];
        auto [index, fresh] = site_index_.try_emplace(h.site, sites_.size());
        if (fresh)
            sites_.push_back(LeakSite{h.site, 0, 0, 0, h.confidence, false});
        LeakSite *it = &sites_[index->second];
        bool first = std::none_of(holders.begin(), holders.begin() + static_cast<std::ptrdiff_t>(k),
                                  [&](const HeldRefs &g) { return g.site == h.site; });
        it->refs += static_cast<std::uint64_t>(h.refs);
        it->objects += first;
        it->freed_with_refs += first && freed;
        it->confidence = std::max(it->confidence, h.confidence);
        it->uncertain = it->uncertain || h.uncertain;
    }
    objects_.push_back(std::move(leak));
}

void LeaksQuery::absorb(const LeaksQuery &other)
{
    objects_.insert(objects_.end(), other.objects_.begin(), other.objects_.end());
    for (const LeakSite &s : other.sites_) {
        auto [index, fresh] = site_index_.try_emplace(s.site, sites_.size());
        if (fresh) {
            sites_.push_back(s);
            continue;
        }
        LeakSite &mine = sites_[index->second];
        mine.refs += s.refs;
        mine.objects += s.objects;
        mine.freed_with_refs += s.freed_with_refs;
        mine.confidence = std::max(mine.confidence, s.confidence);
        mine.uncertain = mine.uncertain || s.uncertain;
    }
}

std::vector<LeakedObject> LeaksQuery::objects() const
{
    std::vector<LeakedObject> out = objects_;
    std::stable_sort(out.begin(), out.end(), [](const LeakedObject &a, const LeakedObject &b) {
        const ObjectKey &x = a.state.object, &y = b.state.object;
        return std::make_tuple(!a.state.freed, -a.state.count, a.state.time_ns, x.pid, x.obj, x.generation) <
               std::make_tuple(!b.state.freed, -b.state.count, b.state.time_ns, y.pid, y.obj, y.generation);
    });
    return out;
}

std::vector<LeakSite> LeaksQuery::sites() const
{
    std::vector<LeakSite> out = sites_;
    std::stable_sort(out.begin(), out.end(), [](const LeakSite &a, const LeakSite &b) {
        return std::make_tuple(b.refs, b.objects, a.site.pid, a.site.address, a.site.stack_id) <
               std::make_tuple(a.refs, a.objects, b.site.pid, b.site.address, b.site.stack_id);
    });
    return out;
}

} // namespace refblame::analyzer::query
