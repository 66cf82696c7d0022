// query_commands.cpp: blockers/holders/leaks/history/sites/stats: options -> analysis -> formatter.
#include "cli/commands.hpp"

#include <CLI/CLI.hpp>

namespace refblame::cli {

void add_query_commands(CLI::App &, int &)
{
}

} // namespace refblame::cli
