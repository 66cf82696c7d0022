// reports.hpp: every query's answer in JSON (DESIGN.md schema) and in text, from replay results and the symbolizer.
#pragma once

#include "model/report.hpp"
#include "symbolize/symbolizer.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace refblame::analyzer {

nlohmann::json blockers_json(const TraceSummary &t, const std::vector<Blocked> &blocked, Symbolizer &sym);
// The same as blockers_json(...).dump(2) and a newline, written to `out` one failed freeze at a time.
void write_blockers_json(std::FILE *out, const TraceSummary &t, const std::vector<Blocked> &blocked,
                         Symbolizer &sym);
nlohmann::json holders_json(const TraceSummary &t, const ObjectState &s, Symbolizer &sym);
// leaks and stats also list the program bugs the replay found (`findings`, in time order).
nlohmann::json leaks_json(const TraceSummary &t, const std::vector<LeakedObject> &leaks, Symbolizer &sym,
                          const std::vector<Finding> &findings = {});
nlohmann::json history_json(const TraceSummary &t, const ObjectKey &obj, const std::vector<HistoryEntry> &h,
                            Symbolizer &sym);
nlohmann::json sites_json(const TraceSummary &t, const std::vector<SiteStats> &sites, Symbolizer &sym);
nlohmann::json stats_json(const TraceSummary &t, const std::vector<Finding> &findings, Symbolizer &sym);
// The same as stats_json(...).dump(2) and a newline, one finding at a time.
void write_stats_json(std::FILE *out, const TraceSummary &t, const std::vector<Finding> &findings, Symbolizer &sym);

std::string blockers_text(const TraceSummary &t, const std::vector<Blocked> &blocked, Symbolizer &sym);
std::string holders_text(const TraceSummary &t, const ObjectState &s, Symbolizer &sym);
std::string leaks_text(const TraceSummary &t, const std::vector<LeakedObject> &leaks, Symbolizer &sym,
                       const std::vector<Finding> &findings = {});
std::string history_text(const TraceSummary &t, const ObjectKey &obj, const std::vector<HistoryEntry> &h,
                         Symbolizer &sym);
std::string sites_text(const TraceSummary &t, const std::vector<SiteStats> &sites, Symbolizer &sym);
std::string stats_text(const TraceSummary &t, const std::vector<Finding> &findings, Symbolizer &sym);

} // namespace refblame::analyzer
