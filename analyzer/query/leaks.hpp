// leaks.hpp: references still open at obj_free (freed with refs held) or at the end of the trace, by object and by site.
#pragma once

#include "attribute/pairing_model.hpp"
#include "model/report.hpp"
#include "replay/object_state.hpp"

#include <unordered_map>
#include <vector>

namespace refblame::analyzer::query {

class LeaksQuery {
public:
    // A generation ended holding refs: `freed` when it ended by obj_free or re-init.
    void on_end(const replay::ObjectState &obj, std::uint64_t time_ns, bool freed);
    void absorb(const LeaksQuery &other); // another shard's objects


    // Freed-with-refs first, then most refs, then earliest, then by object; sites by most refs, then
    // most objects, then by site (ties never depend on the order objects ended in).
    std::vector<LeakedObject> objects() const;
    std::vector<LeakSite> sites() const;

private:
    std::vector<LeakedObject> objects_;
    std::vector<LeakSite> sites_;
    std::unordered_map<SiteKey, std::size_t, SiteKeyHash> site_index_;
};

} // namespace refblame::analyzer::query
