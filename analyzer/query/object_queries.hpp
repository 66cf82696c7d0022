// object_queries.hpp: the queries about one object address: its holders at a time (holders) and its history.
#pragma once

#include "model/report.hpp"
#include "replay/object_state.hpp"
#include "replay/observer.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace refblame::analyzer::query {

class ObjectQueries {
public:
    // `strings` keeps the kind names history entries point to (it must outlive them).
    ObjectQueries(std::uint64_t object, std::optional<std::uint64_t> at_ns, bool history,
                  std::set<std::string, std::less<>> &strings);

    void before_event(const replay::ObjectState &obj, const Event &e);
    void on_release(const replay::ObjectState &obj, const Event &e, const replay::Release &r);
    void on_applied(const replay::ObjectState &obj, const Event &e, bool continuity_break);
    void on_generation_end(const replay::ObjectState &obj, std::uint64_t time_ns, replay::EndReason why);

    // One state per process that had the object at the time asked (default: the end
    // of the trace, `end_ns`). Throws UserError when the object never appears or did
    // not exist yet at that time.
    std::vector<ObjectState> holders(std::uint64_t end_ns) const;
    std::vector<HistoryEntry> take_history() { return std::move(history_); }

private:
    struct PerProcess {
        std::uint64_t first_ns = 0;
        bool decided = false;            // the --at moment has passed
        std::optional<ObjectState> at;   // the state then (none: the object did not exist yet)
        std::optional<ObjectState> latest;
    };
    struct Paired {
        SiteKey site;
        Confidence confidence = Confidence::guess;
        std::uint64_t since_ns = 0;
        std::int32_t tid = unknown_id;
    };

    std::uint64_t object_;
    std::optional<std::uint64_t> at_ns_;
    bool keep_history_;
    std::set<std::string, std::less<>> &strings_;
    std::map<std::int32_t, PerProcess> processes_;
    std::optional<Paired> paired_; // the first reference the event being applied released
    std::vector<HistoryEntry> history_;
};

} // namespace refblame::analyzer::query
