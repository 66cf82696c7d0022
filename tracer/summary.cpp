// summary.cpp: what `refblame record` prints when it is done: where the trace is, what it holds, what was lost, what to run next.
#include "summary.hpp"

#include "buffer_size.hpp"

#include <csignal>
#include <cstring>
#include <sstream>

namespace refblame::tracer {

std::string shell_quote(const std::string &s)
{
    bool plain = !s.empty();
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("/._-+:,=@%", c)))
            plain = false;
    if (plain)
        return s;
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string format_summary(const RecordResult &r)
{
    std::ostringstream out;
    if (!r.program_started)
        out << "refblame: interrupted before " << r.program << " started\n";
    else if (r.exit_status > 128 && r.exit_status < 128 + NSIG)
        out << "refblame: " << r.program << " was killed by signal " << r.exit_status - 128 << " ("
            << sigabbrev_np(r.exit_status - 128) << "); the trace holds its events up to then\n";
    else
        out << "refblame: " << r.program << " exited with status " << r.exit_status << "\n";
    out << "  trace:            " << r.trace_dir.string() << "\n";
    out << "  processes traced: " << r.processes << "\n";
    out << "  discarded events: " << r.loss.discarded_events << "\n";
    out << "  lost packets:     " << r.loss.lost_packets << "\n";
    out << "  buffers:          " << format_bytes(r.geometry.bytes()) << " per CPU per process ("
        << r.geometry.num_subbuf << " x " << format_bytes(r.geometry.subbuf_size) << "), "
        << (r.policy == LossPolicy::block ? "blocking" : "discard mode (--allow-loss)") << "\n";
    if (!r.foreign.empty()) {
        out << "  left out:         " << r.foreign.size() << " trace(s) of other processes that ran meanwhile (";
        for (std::size_t i = 0; i < r.foreign.size(); i++)
            out << (i ? ", " : "") << r.foreign[i];
        out << ")\n";
    }
    if (!r.removed_note.empty())
        out << "  note:             " << r.removed_note << "\n";
    if (r.loss.discarded_events || r.loss.lost_packets) {
        out << "refblame: warning: events were lost; the analysis marks the objects they touched as uncertain. ";
        if (r.policy == LossPolicy::discard)
            out << "Record again without --allow-loss";
        else
            out << "Record again with a larger --buffer-size (now " << format_bytes(r.geometry.bytes()) << ")";
        out << " for a complete trace.\n";
    }
    for (const auto &name : r.unsure)
        out << "refblame: warning: kept " << name << ", but its process had exited before refblame could tell "
            << "whether it belongs to " << r.program << "\n";
    if (!r.info_problem.empty())
        out << "refblame: warning: " << r.info_problem << ": the analysis will not know how " << r.program
            << " ended\n";
    if (!r.incomplete.empty())
        out << "refblame: warning: " << r.incomplete << ": the trace may lack its last events.\n";
    if (!r.abandoned_session.empty())
        out << "refblame: warning: LTTng's session daemon stopped answering: session " << r.abandoned_session
            << " is left to it; `lttng destroy " << r.abandoned_session << "` once it answers again.\n";
    for (const auto &problem : r.loss_problems)
        out << "refblame: warning: cannot tell what was lost in " << problem << "\n";
    if (r.processes == 0 && r.program_started)
        out << "refblame: warning: no process registered with LTTng, so the trace is empty: does " << r.program
            << " link librefblame?\n";
    out << "next: refblame blockers " << shell_quote(r.trace_dir.string()) << "\n";
    return out.str();
}

} // namespace refblame::tracer
