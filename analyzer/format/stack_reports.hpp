// stack_reports.hpp: the reports that read call stacks: sites by stack, folded stacks (flamegraph.pl, speedscope) of leaks and blockers, the get/put balance tree.
#pragma once

#include "model/report.hpp"
#include "symbolize/symbolizer.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace refblame::analyzer {

// `sites --by stack`: one row per distinct acquire stack (caller + recorded
// frames), the frames listed under each row; sites without a stack are rows
// of their own, as `sites` shows them.
nlohmann::json sites_by_stack_json(const TraceSummary &t, const std::vector<SiteStats> &sites, Symbolizer &sym);
std::string sites_by_stack_text(const TraceSummary &t, const std::vector<SiteStats> &sites, Symbolizer &sym);

// `--format folded`: "outermost;...;caller refs" per distinct stack, in the
// folded format flamegraph.pl and speedscope read. Leaks: the references
// still held; blockers: the extra references held at failed freezes.
std::string leaks_folded(const std::vector<LeakedObject> &leaks, Symbolizer &sym);
std::string blockers_folded(const std::vector<Blocked> &blocked, Symbolizer &sym);

// `balance`: +1 along each acquire's stack, -1 along each release's (units),
// as a tree from the outermost frames in; only subtrees whose references do
// not balance are shown (what Mozilla's make-tree.pl does by hand).
nlohmann::json balance_json(const TraceSummary &t, const std::vector<SiteUse> &uses, Symbolizer &sym);
std::string balance_text(const TraceSummary &t, const std::vector<SiteUse> &uses, Symbolizer &sym);

} // namespace refblame::analyzer
