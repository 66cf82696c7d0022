// query_commands.cpp: blockers/holders/leaks/history/sites/stats: options -> read + analyze -> symbolize -> format.
#include "cli/commands.hpp"
#include "cli/crash_guard.hpp"

#include "format/reports.hpp"
#include "format/stack_reports.hpp"
#include "query/analysis.hpp"
#include "read/recording_info.hpp"
#include "read/trace_reader.hpp"
#include "symbolize/symbolizer.hpp"
#include "symbolize/wrapper_detect.hpp"
#include "user_error.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace refblame::cli {

namespace {

using namespace refblame::analyzer;

enum class Query { blockers, holders, leaks, history, sites, stats, balance };

struct QueryArgs {
    std::string trace;
    std::string format = "text";
    std::optional<std::int32_t> pid;
    std::optional<std::string> kind;
    std::vector<std::string> debug_dirs;
    std::string object; // holders/history
    std::optional<std::uint64_t> at_ns;
    bool fail_on_blockers = false;
    bool fail_on_leaks = false;
    std::vector<std::string> wrappers; // --wrapper: fnmatch patterns of function names
    std::string by = "site";           // sites --by site|stack
};

std::uint64_t parse_address(const std::string &s)
{
    try {
        std::size_t used = 0;
        std::uint64_t v = std::stoull(s, &used, 0);
        if (used == s.size())
            return v;
    } catch (const std::exception &) {
    }
    throw UserError("--object '" + s + "' is not an address: give it as printed by refblame, e.g. 0x7ffd1234");
}

// Hands every event to the analysis pass and, on the first pass only, module
// events to the symbolizer.
class TeeSink final : public EventSink {
public:
    TeeSink(EventSink &pass, Symbolizer *sym) : pass_(pass), sym_(sym) {}
    void on_event(const Event &e) override { pass_.on_event(e); }
    void on_module(const ModuleEvent &m) override
    {
        if (sym_)
            sym_->on_module(m);
        pass_.on_module(m);
    }
    void on_loss(const Loss &l) override { pass_.on_loss(l); }
    void on_stack(const StackEvent &s) override
    {
        if (sym_)
            sym_->on_stack(s);
        pass_.on_stack(s);
    }

private:
    EventSink &pass_;
    Symbolizer *sym_;
};

void merge_read_summary(TraceSummary &t, const ReadSummary &r, const std::string &trace)
{
    t.trace = trace;
    t.lost_events = std::max(t.lost_events, r.lost_events);
    t.lost_packets = std::max(t.lost_packets, r.lost_packets);
    for (const std::string &w : r.warnings)
        t.warnings.push_back(w);
    if (!r.complete)
        t.warnings.push_back("the trace was not read completely: the answer covers what could be read");
}

// How the recorded processes ended (refblame record's refblame-record.json), and a warning per abnormal end.
void merge_recording_info(TraceSummary &t, const std::string &trace)
{
    RecordingInfo info = read_recording_info(trace);
    for (std::string &w : info.warnings)
        t.warnings.push_back(std::move(w));
    if (std::string w = incomplete_warning(info); !w.empty())
        t.warnings.push_back(std::move(w));
    for (const ProcessEnd &e : info.ends)
        if (std::string w = abnormal_end_warning(e); !w.empty())
            t.warnings.push_back(std::move(w));
    t.process_ends = std::move(info.ends);
}

// Reads and analyzes `trace`; a read error comes with what the recorder said when the trace may be incomplete
// (a consumer daemon that hung before writing the metadata leaves an empty metadata file).
template <class Work>
auto noting_incomplete_recording(const std::string &trace, Work work)
{
    try {
        return work();
    } catch (const UserError &e) {
        const std::string w = incomplete_warning(read_recording_info(trace));
        if (w.empty())
            throw;
        throw UserError(std::string(e.what()) + "\nrefblame: note: " + w);
    }
}

void print(const std::string &text) { std::fwrite(text.data(), 1, text.size(), stdout); }

int run_query(Query q, const QueryArgs &a)
{
    const bool folded_ok = q == Query::leaks || q == Query::blockers;
    if (a.format != "text" && a.format != "json" && !(folded_ok && a.format == "folded"))
        throw UserError("--format must be text" + std::string(folded_ok ? ", json or folded" : " or json") +
                        ", not '" + a.format + "'");
    if (a.by != "site" && a.by != "stack")
        throw UserError("--by must be site or stack, not '" + a.by + "'");
    SymbolizerOptions sopts;
    sopts.debug_dirs = a.debug_dirs;
    sopts.skip_functions = a.wrappers;
    Symbolizer sym(sopts);

    query::AnalysisOptions opts;
    opts.pid = a.pid;
    opts.kind = a.kind;
    opts.blockers = q == Query::blockers || q == Query::sites; // the others do not print failed freezes
    opts.attribute = q != Query::stats && q != Query::balance;  // counts and findings: no pairing involved
    std::optional<std::uint64_t> object;
    if (q == Query::holders || q == Query::history) {
        object = parse_address(a.object);
        opts.object = object;
        opts.at_ns = a.at_ns;
        opts.history = q == Query::history;
    }

    ReadSummary read_summary;
    query::Analysis an = noting_incomplete_recording(a.trace, [&] {
        TraceReader reader(a.trace);
        bool first = true;
        query::TracePass pass = [&](EventSink &sink) {
            TeeSink tee(sink, first ? &sym : nullptr);
            first = false;
            read_summary = reader.read(tee);
        };
        return query::analyze(pass, opts);
    });
    merge_read_summary(an.summary, read_summary, a.trace);
    merge_recording_info(an.summary, a.trace);
    const TraceSummary &t = an.summary;
    const bool json = a.format == "json";
    // Sites are named past wrappers: those found from the stacks, and --wrapper's.
    WrapperFindings wrappers = detect_wrappers(an.site_uses, sym);
    sym.add_wrappers(wrappers.wrappers, wrappers.helpers_without_stacks);
    if (a.format == "folded") {
        print(q == Query::leaks ? leaks_folded(an.leaks, sym) : blockers_folded(an.blocked, sym));
        return q == Query::leaks ? (a.fail_on_leaks && !an.leaks.empty() ? 1 : 0)
                                 : (a.fail_on_blockers && !an.blocked.empty() ? 1 : 0);
    }

    switch (q) {
    case Query::blockers:
        if (json)
            write_blockers_json(stdout, t, an.blocked, sym);
        else
            print(blockers_text(t, an.blocked, sym));
        return a.fail_on_blockers && !an.blocked.empty() ? 1 : 0;
    case Query::holders:
        if (an.holders.empty())
            throw UserError("object " + a.object + " does not appear in " + a.trace +
                            (a.pid ? " for pid " + std::to_string(*a.pid) : std::string()));
        if (json) {
            nlohmann::json all = nlohmann::json::array();
            for (const ObjectState &s : an.holders)
                all.push_back(holders_json(t, s, sym));
            print((all.size() == 1 ? all[0] : all).dump(2) + "\n");
        } else {
            for (const ObjectState &s : an.holders)
                print(holders_text(t, s, sym));
        }
        return 0;
    case Query::leaks:
        print(json ? leaks_json(t, an.leaks, sym, an.findings).dump(2) + "\n"
                   : leaks_text(t, an.leaks, sym, an.findings));
        return a.fail_on_leaks && !an.leaks.empty() ? 1 : 0;
    case Query::history: {
        ObjectKey key{a.pid.value_or(unknown_id), *object, 0};
        if (!an.history.empty())
            key = ObjectKey{an.history.front().event.pid, *object, an.history.front().generation};
        print(json ? history_json(t, key, an.history, sym).dump(2) + "\n" : history_text(t, key, an.history, sym));
        return 0;
    }
    case Query::sites:
        if (a.by == "stack")
            print(json ? sites_by_stack_json(t, an.sites, sym).dump(2) + "\n" : sites_by_stack_text(t, an.sites, sym));
        else
            print(json ? sites_json(t, an.sites, sym).dump(2) + "\n" : sites_text(t, an.sites, sym));
        return 0;
    case Query::balance:
        print(json ? balance_json(t, an.site_uses, sym).dump(2) + "\n" : balance_text(t, an.site_uses, sym));
        return 0;
    case Query::stats:
        if (json)
            write_stats_json(stdout, t, an.findings, sym);
        else
            print(stats_text(t, an.findings, sym));
        return 0;
    }
    return 0;
}

CLI::App *add_query(CLI::App &app, const char *name, const char *help, Query q, int &status,
                    std::shared_ptr<QueryArgs> args)
{
    CLI::App *cmd = app.add_subcommand(name, help);
    cmd->add_option("TRACE", args->trace, "trace directory written by `refblame record` (or any LTTng output)")
        ->required();
    cmd->add_option("--format", args->format,
                    q == Query::leaks || q == Query::blockers ? "text, json or folded (flamegraph.pl / speedscope)"
                                                              : "text or json")
        ->capture_default_str();
    cmd->add_option("--pid", args->pid, "only this process");
    cmd->add_option("--kind", args->kind, "only objects of this kind (obj_init's kind)");
    cmd->add_option("--debug-dir", args->debug_dirs, "more directories with debug info (repeatable)");
    cmd->add_option("--wrapper", args->wrappers,
                    "a function (fnmatch pattern) that only wraps reference ops: its callers are named instead "
                    "(repeatable; needs stacks when it is not inlined)");
    cmd->callback([q, args, &status] { status = run_guarded(args->trace, [&] { return run_query(q, *args); }); });
    return cmd;
}

} // namespace

void add_query_commands(CLI::App &app, int &status)
{
    auto blockers = std::make_shared<QueryArgs>();
    add_query(app, "blockers", "every failed freeze, and who held the extra references", Query::blockers, status,
              blockers)
        ->add_flag("--fail-on-blockers", blockers->fail_on_blockers, "exit 1 when any freeze failed");

    auto holders = std::make_shared<QueryArgs>();
    CLI::App *h = add_query(app, "holders", "who holds references to one object, at a time or at the end",
                            Query::holders, status, holders);
    h->add_option("--object", holders->object, "the object's address (its refblame_ref_t)")->required();
    h->add_option("--at", holders->at_ns, "time in ns (as in time_ns); default: end of trace");

    auto leaks = std::make_shared<QueryArgs>();
    add_query(app, "leaks", "references still held at obj_free or at the end of the trace, by site", Query::leaks,
              status, leaks)
        ->add_flag("--fail-on-leaks", leaks->fail_on_leaks, "exit 1 when any reference leaked");

    auto history = std::make_shared<QueryArgs>();
    add_query(app, "history", "every operation on one object, with the pairing of each put", Query::history, status,
              history)
        ->add_option("--object", history->object, "the object's address")
        ->required();

    auto sites = std::make_shared<QueryArgs>();
    add_query(app, "sites", "per acquire site: gets, puts, outstanding references, hold times", Query::sites, status,
              sites)
        ->add_option("--by", sites->by, "site (source location) or stack (each distinct recorded call stack)")
        ->capture_default_str();
    add_query(app, "balance",
              "+1 along each acquire's call stack, -1 along each release's: the subtrees that do not balance",
              Query::balance, status, std::make_shared<QueryArgs>());
    add_query(app, "stats", "events, objects, processes, lost events", Query::stats, status,
              std::make_shared<QueryArgs>());
}

} // namespace refblame::cli
