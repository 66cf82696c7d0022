// commands.hpp: the refblame subcommands; each registers itself on the CLI11 app and sets the exit status it ends with.
#pragma once

namespace CLI {
class App;
}

namespace refblame::cli {

// `refblame record [...] -- PROGRAM [ARGS...]` (tracer/)
void add_record_command(CLI::App &app, int &status);

// `refblame blockers|holders|leaks|history|sites|stats TRACE [...]` (analyzer/)
void add_query_commands(CLI::App &app, int &status);

} // namespace refblame::cli
