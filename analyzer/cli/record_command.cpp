// record_command.cpp: `refblame record`: options -> tracer::record() -> summary; the program's exit status becomes refblame's.
#include "cli/commands.hpp"

#include "buffer_size.hpp"
#include "recorder.hpp"
#include "summary.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace refblame::cli {

void add_record_command(CLI::App &app, int &status)
{
    auto options = std::make_shared<tracer::RecordOptions>();
    auto output = std::make_shared<std::string>();
    auto buffer_size = std::make_shared<std::string>();

    CLI::App *record = app.add_subcommand(
        "record", "Run PROGRAM under a fresh LTTng session and write its trace; exits with the program's status");
    record->add_option("-o,--output", *output,
                       "Trace directory (default: ./refblame-<program>-<timestamp>); must be absent or empty");
    record->add_flag("--force", options->force, "Record into a non-empty DIR, replacing the trace already in it");
    record->add_flag("--allow-loss", options->allow_loss,
                     "Discard events when buffers are full instead of making the program wait");
    record->add_option("--buffer-size", *buffer_size,
                       "Ring buffer per CPU per process, a power of two (default here: " +
                           tracer::format_bytes(tracer::default_buffer_bytes()) + ")");
    record->add_flag("--track-dlopen", options->track_dlopen,
                     "Preload liblttng-ust-dl so libraries the program dlopens after start-up are symbolized");
    record->add_option("--stack", options->stack_depth,
                       "Frames of call stack recorded above each op's call site, 0 to " +
                           std::to_string(tracer::max_stack_depth) + "; 0: the call site only (default: " +
                           std::to_string(tracer::default_stack_depth) + ", or REFBLAME_STACK when set)");
    record->add_option("--daemon-timeout", options->daemon_timeout,
                       "Give up on LTTng after SECONDS without progress: starting the session (nothing is recorded), "
                       "or writing the trace once PROGRAM has ended (the trace is reported as possibly incomplete); "
                       "0: wait as long as it takes (default: " +
                           std::to_string(tracer::default_daemon_timeout) + ")")
        ->type_name("SECONDS");
    record->add_option("PROGRAM", options->command, "The program to record and its arguments (after --)")->required();
    record->positionals_at_end();

    record->callback([options, output, buffer_size, &status] {
        if (!output->empty())
            options->output = *output;
        if (!buffer_size->empty())
            options->buffer_size = *buffer_size;
        tracer::RecordResult result = tracer::record(*options);
        std::fputs(tracer::format_summary(result).c_str(), stderr);
        status = result.exit_status;
    });
}

} // namespace refblame::cli
