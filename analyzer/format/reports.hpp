// reports.hpp: every query's answer in JSON (DESIGN.md schema) and in text, from replay results and the symbolizer.
#pragma once

#include "model/report.hpp"
#include "symbolize/symbolizer.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace refblame::analyzer {

nlohmann::json blockers_json(const TraceSummary &t, const std::vector<Blocked> &blocked, Symbolizer &sym);
nlohmann::json holders_json(const TraceSummary &t, const ObjectState &s, Symbolizer &sym);
nlohmann::json leaks_json(const TraceSummary &t, const std::vector<LeakedObject> &leaks, Symbolizer &sym);
nlohmann::json history_json(const TraceSummary &t, const ObjectKey &obj, const std::vector<HistoryEntry> &h,
                            Symbolizer &sym);
nlohmann::json sites_json(const TraceSummary &t, const std::vector<SiteStats> &sites, Symbolizer &sym);
nlohmann::json stats_json(const TraceSummary &t);

std::string blockers_text(const TraceSummary &t, const std::vector<Blocked> &blocked, Symbolizer &sym);
std::string holders_text(const TraceSummary &t, const ObjectState &s, Symbolizer &sym);
std::string leaks_text(const TraceSummary &t, const std::vector<LeakedObject> &leaks, Symbolizer &sym);
std::string history_text(const TraceSummary &t, const ObjectKey &obj, const std::vector<HistoryEntry> &h,
                         Symbolizer &sym);
std::string sites_text(const TraceSummary &t, const std::vector<SiteStats> &sites, Symbolizer &sym);
std::string stats_text(const TraceSummary &t);

} // namespace refblame::analyzer
