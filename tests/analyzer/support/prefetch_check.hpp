// prefetch_check.hpp: a sink that checks how it is told of events ahead (EventSink::prefetch): stages in order, each at its distance, only for events it then gets.
#pragma once

#include "model/event.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace refblame::analyzer {

// Events are told apart by time_ns: give every event of the test its own.
struct PrefetchCheck final : EventSink {
    std::size_t delivered = 0;    // on_event calls
    std::size_t all_stages = 0;   // events that had every stage before they came
    std::vector<std::string> errors;
    mutable std::map<std::uint64_t, std::vector<std::pair<unsigned, std::size_t>>> told; // time -> (stage, delivered then)

    void prefetch(const Event &e, unsigned stage) const override { told[e.time_ns].emplace_back(stage, delivered); }
    void on_event(const Event &e) override
    {
        auto it = told.find(e.time_ns);
        if (it != told.end()) {
            const auto &stages = it->second;
            for (std::size_t k = 0; k < stages.size(); ++k) {
                const auto [stage, at] = stages[k];
                if (k > 0 && stage != stages[k - 1].first + 1)
                    errors.push_back("event " + std::to_string(e.time_ns) + ": stage " + std::to_string(stage) +
                                     " after stage " + std::to_string(stages[k - 1].first));
                if (stage >= prefetch_stages || at + prefetch_distance[stage] != delivered)
                    errors.push_back("event " + std::to_string(e.time_ns) + ": stage " + std::to_string(stage) +
                                     " told " + std::to_string(delivered - at) + " events ahead");
            }
            if (stages.size() == prefetch_stages && stages.front().first == 0)
                ++all_stages;
            told.erase(it);
        }
        ++delivered;
    }
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &) override {}
};

} // namespace refblame::analyzer
