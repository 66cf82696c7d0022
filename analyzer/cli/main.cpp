// main.cpp: the refblame command line: parse (CLI11), dispatch to a subcommand, map errors to exit status 2.
#include "cli/commands.hpp"
#include "user_error.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char **argv)
{
    CLI::App app{"refblame: who holds the references that keep an object from being migrated, evicted or freed"};
    app.require_subcommand(1);
    int status = 0;
    refblame::cli::add_record_command(app, status);
    refblame::cli::add_query_commands(app, status);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2; // usage errors exit 2
    } catch (const refblame::UserError &e) {
        std::fprintf(stderr, "refblame: %s\n", e.what());
        return 2;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "refblame: internal error: %s\n", e.what());
        return 2;
    }
    return status;
}
