// findings_view.hpp: program bugs (findings) and process ends as they read in JSON and in text.
#pragma once

#include "model/report.hpp"
#include "symbolize/symbolizer.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace refblame::analyzer {

// What a finding kind means, in a few words ("a put without a get: the count went below zero").
std::string_view finding_meaning(FindingKind k);

// [ { "kind", "pid", "object", "generation", "object_kind", "time_ns", "tid", "event", "count",
//     "holder", "site", "what" } ], in time order.
nlohmann::json finding_json(const Finding &f, Symbolizer &sym);
nlohmann::json findings_json(const std::vector<Finding> &findings, Symbolizer &sym);

// A "Program bugs" section (empty string when there is none); `total` counts unlisted ones too.
std::string findings_text(const TraceSummary &t, const std::vector<Finding> &findings, Symbolizer &sym);

// [ { "pid", "program", "exit_status", "signal", "abnormal" } ]
nlohmann::json process_ends_json(const std::vector<ProcessEnd> &ends);

} // namespace refblame::analyzer
