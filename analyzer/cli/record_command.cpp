// record_command.cpp: `refblame record`: options -> tracer::record().
#include "cli/commands.hpp"

#include <CLI/CLI.hpp>

namespace refblame::cli {

void add_record_command(CLI::App &, int &)
{
}

} // namespace refblame::cli
