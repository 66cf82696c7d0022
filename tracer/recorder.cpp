// recorder.cpp: `refblame record`: run a program under a fresh LTTng session and leave a complete trace (the tracer's entry point).
#include "recorder.hpp"

#include "buffer_size.hpp"
#include "child_environment.hpp"
#include "child_process.hpp"
#include "daemon_call.hpp"
#include "lttng_ctl.hpp"
#include "output_dir.hpp"
#include "process_tree.hpp"
#include "recording_info.hpp"
#include "program_path.hpp"
#include "session.hpp"
#include "sessiond.hpp"
#include "signal_forwarder.hpp"
#include "trace_loss.hpp"
#include "user_error.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

extern char **environ;

namespace refblame::tracer {

namespace {

// The session and its channel, shared with the thread that asks the daemon (DaemonCall).
struct LttngSession {
    std::optional<Session> session;
    std::optional<UstChannel> channel;
    LossCounts loss;
};

// The events a recording needs: every refcount op, and what the symbolizer
// needs to map addresses to binaries (the start-up statedump of loaded
// objects, and libraries loaded later when liblttng-ust-dl is preloaded).
constexpr const char *event_patterns[] = {"refblame:*", "lttng_ust_statedump:*", "lttng_ust_lib:*"};

void check_options(const RecordOptions &options)
{
    if (options.stack_depth && (*options.stack_depth < 0 || *options.stack_depth > max_stack_depth))
        throw UserError("--stack " + std::to_string(*options.stack_depth) + ": give 0 (the call site only) to " +
                        std::to_string(max_stack_depth) + " frames");
    if (options.daemon_timeout < 0)
        throw UserError("--daemon-timeout " + std::to_string(options.daemon_timeout) +
                        ": give the seconds to wait for an LTTng daemon that makes no progress, or 0 to wait as long as it takes");
    if (options.command.empty())
        throw UserError("no program given: use `refblame record [OPTIONS] -- PROGRAM [ARGS...]`");
}

} // namespace

RecordResult record(const RecordOptions &options)
{
    check_options(options);
    RecordResult result;
    result.program = options.command.front();
    result.policy = options.allow_loss ? LossPolicy::discard : LossPolicy::block;

    // Everything the user can get wrong is checked before LTTng is touched.
    std::filesystem::path program = find_program(options.command.front(), std::getenv("PATH"));
    result.geometry =
        geometry_for(options.buffer_size ? parse_buffer_size(*options.buffer_size) : default_buffer_bytes());
    result.trace_dir = options.output.empty()
                           ? default_output_dir(options.command.front(), std::chrono::system_clock::now())
                           : std::filesystem::absolute(options.output).lexically_normal();
    if (!result.trace_dir.has_filename() && result.trace_dir.has_parent_path())
        result.trace_dir = result.trace_dir.parent_path(); // drop a trailing slash
    check_output_dir(result.trace_dir, options.force);
    ctl(); // LTTng's control library, loaded (or refused, with what to install) before anything starts

    // From here on a signal to refblame goes to the program (or, before it
    // starts, cancels it), and the session is always stopped and destroyed.
    SignalForwarder forwarder;
    SessionDaemon daemon;
    result.removed_note = prepare_output_dir(result.trace_dir, options.force);
    ProcessTree tree(result.trace_dir);

    // Every request to the daemon is bounded (DaemonCall): one whose consumer daemon is stopped or hung
    // never answers. The session and channel are shared with the thread asking, which may outlive this.
    const auto bound = std::chrono::seconds(options.daemon_timeout);
    const auto within_bound = [bound](DaemonCall &call) {
        const auto begin = std::chrono::steady_clock::now();
        return call.wait([&] { return bound.count() > 0 && std::chrono::steady_clock::now() - begin >= bound; });
    };
    auto lttng = std::make_shared<LttngSession>();
    const std::string session_name = unique_session_name();
    DaemonCall setup([lttng, session_name, dir = result.trace_dir, geometry = result.geometry, policy = result.policy] {
        Session &session = lttng->session.emplace(session_name, dir);
        UstChannel &channel = lttng->channel.emplace(session, "refblame", geometry, policy);
        for (const char *pattern : event_patterns)
            channel.enable_events(pattern);
        // Only vtid: with per-PID buffers each process's trace carries its vpid in
        // the trace environment, and `caller` is the call site (an `ip` context
        // would repeat it). Every byte here is written on every refcount op.
        channel.add_context(LTTNG_EVENT_CONTEXT_VTID, "vtid");
        session.start();
    });
    if (!within_bound(setup)) {
        if (daemon.started_here())
            daemon.hung();
        throw UserError("LTTng's session daemon has not set up the recording session within " +
                        std::to_string(options.daemon_timeout) +
                        " s: its consumer daemon (lttng-consumerd) is stopped or hung. Nothing was recorded and " +
                        options.command.front() + " did not run. Restart the session daemon (as root, the global " +
                        "one) and record again" +
                        (daemon.started_here() ? std::string()
                                               : "; or, should it recover, `lttng destroy " + session_name +
                                                     "` (the session may start late and record into " +
                                                     result.trace_dir.string() + ")") +
                        ". --daemon-timeout sets the wait.");
    }
    Session &session = *lttng->session;

    {
        ChildProcess child(program, options.command, child_environment(environ, result.policy, options.stack_depth, options.track_dlopen), forwarder);
        result.program_started = child.started();
        result.program_pid = std::max(child.pid(), 0);
        result.exit_status = child.wait([&tree] { tree.watch(20); });
        result.term_signal = child.term_signal();
    }

    LossCounts from_channel;
    bool left = false; // the session is left to the daemon
    if (session.stop(bound)) {
        const bool wait = daemon.started_here();
        DaemonCall teardown([lttng, wait] {
            lttng->loss = lttng->channel->loss_counts();
            lttng->session->destroy(wait);
        });
        if (within_bound(teardown))
            from_channel = lttng->loss;
        else // the trace is complete; the daemon's own counters and the cleanup are missing
            left = true;
    } else { // the daemon hangs: ask it nothing more (every call would hang too)
        result.incomplete = "LTTng wrote nothing more of the trace for " + std::to_string(options.daemon_timeout) +
                            " s while the session still had data to write (its consumer daemon, lttng-consumerd, "
                            "stopped or hung), so refblame stopped waiting";
        left = true;
    }
    if (left) {
        if (daemon.started_here())
            daemon.hung();
        else
            result.abandoned_session = session_name;
    }
    tree.watch(0);
    ProcessTree::Outcome outcome = tree.remove_foreign();
    result.foreign = std::move(outcome.removed);
    result.unsure = std::move(outcome.unsure);
    result.processes = count_processes(result.trace_dir);

    // The trace's packet index has every stream's own count. The channel's
    // counters are no substitute: with per-PID buffers they miss processes
    // that already exited, and they include the foreign processes.
    TraceLoss from_trace = read_trace_loss(result.trace_dir);
    result.loss = from_trace.counts;
    result.loss_problems = std::move(from_trace.problems);
    if (!result.loss_problems.empty()) { // at least what the daemon saw
        result.loss.discarded_events = std::max(result.loss.discarded_events, from_channel.discarded_events);
        result.loss.lost_packets = std::max(result.loss.lost_packets, from_channel.lost_packets);
    }
    result.info_problem = write_recording_info(result);
    return result;
}

} // namespace refblame::tracer
