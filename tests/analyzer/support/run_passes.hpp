// run_passes.hpp: runs the real two-pass analysis over an in-memory event stream, as the reader would feed it.
#pragma once

#include "model/event.hpp"
#include "query/analysis.hpp"

#include <vector>

namespace refblame::analyzer::testing {

// Losses are delivered just before the first event at or after their begin_ns.
inline query::TracePass replay_of(const std::vector<Event> &events, const std::vector<Loss> &losses = {})
{
    return [&events, &losses](EventSink &sink) {
        std::size_t next_loss = 0;
        for (const Event &e : events) {
            while (next_loss < losses.size() && losses[next_loss].begin_ns <= e.time_ns)
                sink.on_loss(losses[next_loss++]);
            sink.on_event(e);
        }
        while (next_loss < losses.size())
            sink.on_loss(losses[next_loss++]);
    };
}

inline query::Analysis analyze_events(const std::vector<Event> &events, query::AnalysisOptions options = {},
                                      const std::vector<Loss> &losses = {})
{
    return query::analyze(replay_of(events, losses), options);
}

} // namespace refblame::analyzer::testing
