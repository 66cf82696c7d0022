// replay_fuzzer.cpp: libFuzzer target: arbitrary event streams (ops, objects, threads, generations, losses, hostile
// counts) through the whole analysis (learn + attribute passes, every query) and every report, checking its promises;
// the attribution split over shards must answer exactly as one replay.
#include "format/reports.hpp"
#include "format/stack_reports.hpp"
#include "query/analysis.hpp"
#include "user_error.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace refblame::analyzer;

// A promise of the analysis that the input broke: a bug, reported as a crash.
void require(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "replay_fuzzer: broken promise: %s\n", what);
        std::abort();
    }
}

constexpr std::int32_t pids[] = {100, 200, unknown_id, 0x7fffffff};
constexpr std::uint64_t holders[] = {0, 0x10, 0x20, 0x30, 0, 0x40, 0xffffffffffffffff, 0};
constexpr const char *kinds[] = {"page", "buf", "", "a kind with spaces and \"quotes\"\n"};

struct Input {
    std::vector<Event> events;
    std::vector<std::pair<std::size_t, Loss>> losses; // each delivered just before events[first]
    query::AnalysisOptions options;
    bool serialize = false; // dump the JSON reports and check the streamed writers (format_everything)
};

std::uint64_t object_address(FuzzedDataProvider &in, std::uint8_t sel)
{
    if (sel == 0xff)
        return in.ConsumeIntegral<std::uint64_t>();
    return 0x1000 + 8 * (sel % 6);
}

// count + d as the library's atomic int would wrap (no undefined behaviour on a hostile count).
int wrapping_add(int count, int d)
{
    return static_cast<int>(static_cast<unsigned>(count) + static_cast<unsigned>(d));
}

// The event an op would record on an object whose count is `count` (updated), unless `hostile`.
Event make_event(FuzzedDataProvider &in, Op op, int &count, bool hostile)
{
    Event e;
    e.op = op;
    const int small = in.ConsumeIntegralInRange<int>(-3, 3);
    switch (op) {
    case Op::mod:
    case Op::mod_and_return:
        e.val = small;
        count = wrapping_add(count, small);
        break;
    case Op::mod_and_test:
        e.val = small > 0 ? -small : small;
        count = wrapping_add(count, e.val);
        e.ret = count == 0;
        break;
    case Op::mod_unless: {
        const int u = in.ConsumeIntegralInRange<int>(0, 2);
        e.val = small;
        e.ret = count != u;
        if (e.ret)
            count = wrapping_add(count, small);
        break;
    }
    case Op::set:
    case Op::unfreeze:
        count = e.val = small + 2;
        break;
    case Op::freeze:
        e.val = in.ConsumeIntegralInRange<int>(0, 3);
        e.ret = count == e.val;
        if (e.ret)
            count = 0;
        break;
    case Op::obj_init:
        count = e.val = in.ConsumeIntegralInRange<int>(0, 2);
        break;
    case Op::obj_free:
    case Op::move:
        break;
    }
    e.count = count;
    if (hostile) {
        e.count = in.ConsumeIntegral<std::int32_t>();
        e.val = in.ConsumeIntegral<std::int32_t>();
        e.ret = in.ConsumeIntegral<std::int32_t>();
        count = e.count;
    }
    return e;
}

Input decode(FuzzedDataProvider &in)
{
    Input x;
    const std::uint8_t flags = in.ConsumeIntegral<std::uint8_t>();
    query::AnalysisOptions &o = x.options;
    if (flags & 1)
        o.pid = pids[in.ConsumeIntegralInRange<int>(0, 3)];
    if (flags & 2)
        o.kind = kinds[in.ConsumeIntegralInRange<int>(0, 3)];
    if (flags & 4) {
        o.object = object_address(in, in.ConsumeIntegral<std::uint8_t>());
        o.history = flags & 8;
        if (flags & 16)
            o.at_ns = in.ConsumeIntegralInRange<std::uint64_t>(0, 2'000'000);
    }
    o.learn_passes = 1 + ((flags >> 5) & 1);
    x.serialize = flags & 64;
    o.threads = 1; // the reader thread is the reader's business; here the input is in memory
    o.lanes = 1;   // one attribution replay of every object (sharded() splits it)
    o.max_findings = in.ConsumeIntegralInRange<std::size_t>(0, 40);
    o.engine.reorder_window_ns = in.ConsumeIntegralInRange<std::uint64_t>(0, 20'000);
    o.engine.reorder_max_pending = in.ConsumeIntegralInRange<std::size_t>(0, 16);

    std::map<std::pair<std::int32_t, std::uint64_t>, int> counts; // what the library would have counted
    std::uint64_t now = 1'000'000;
    while (in.remaining_bytes() > 0 && x.events.size() < 2048) {
        const std::uint8_t what = in.ConsumeIntegral<std::uint8_t>();
        const std::uint8_t sel = in.ConsumeIntegral<std::uint8_t>();
        const std::int32_t pid = pids[sel & 3];
        if (what < 12) { // a loss: of a process or unknown, with or without a time range
            Loss l;
            l.pid = pid;
            l.stream = in.ConsumeIntegralInRange<std::uint32_t>(0, 3);
            if (what & 1) {
                l.begin_ns = now - std::min<std::uint64_t>(now, in.ConsumeIntegralInRange<std::uint64_t>(0, 5000));
                l.end_ns = l.begin_ns + in.ConsumeIntegralInRange<std::uint64_t>(0, 20'000);
            }
            l.count = (what & 2) ? in.ConsumeIntegral<std::uint64_t>() : in.ConsumeIntegralInRange<std::uint64_t>(0, 9);
            l.packets = what & 4;
            l.trace = "trace-" + std::to_string(pid);
            x.losses.emplace_back(x.events.size(), std::move(l));
            continue;
        }
        const Op op = static_cast<Op>(what % 10);
        const std::uint64_t obj = object_address(in, in.ConsumeIntegral<std::uint8_t>());
        int &count = counts[{pid, obj}];
        Event e = make_event(in, op, count, what >= 0xf0);
        e.obj = obj;
        e.pid = pid;
        const int thread = in.ConsumeIntegralInRange<int>(0, 3);
        e.tid = thread == 0 ? pid : 1000 + thread;
        const std::uint8_t who = in.ConsumeIntegral<std::uint8_t>();
        e.caller = who & 0x80 ? 0 : 0x400000 + 16 * (who & 7);
        e.holder = holders[(who >> 3) & 7];
        e.from = op == Op::move ? holders[(who >> 4) & 7] : 0;
        e.stack_id = who >> 7;
        e.stream = who & 1;
        if (op == Op::obj_init)
            e.kind = kinds[(who >> 1) & 3];
        // Time mostly moves on; ties and small steps back (another CPU's clock) happen.
        const std::uint8_t step = in.ConsumeIntegral<std::uint8_t>();
        if (step < 0xf0)
            now += step * 37;
        e.time_ns = step >= 0xf8 ? now - std::min<std::uint64_t>(now, step) : now;
        x.events.push_back(e);
    }
    return x;
}

void check_holders(const std::vector<HeldRefs> &holders, bool uncertain, const char *where)
{
    for (const HeldRefs &h : holders) {
        require(h.refs > 0, where);
        if (uncertain) {
            require(h.uncertain, "a holder of an uncertain object is not marked uncertain");
            require(h.confidence != Confidence::exact, "a holder of an uncertain object is exact");
        }
    }
}

void check(const query::Analysis &a)
{
    for (const Blocked &b : a.blocked) {
        check_holders(b.holders, b.uncertain, "blocked holder with no refs");
        long refs = 0;
        for (const HeldRefs &h : b.holders)
            refs += h.refs;
        require(b.count < 0 || refs == b.count, "the holders of a failed freeze do not add up to its count");
    }
    for (const ObjectState &s : a.holders)
        check_holders(s.holders, s.uncertain, "object holder with no refs");
    for (const LeakedObject &l : a.leaks) {
        check_holders(l.state.holders, l.state.uncertain, "leak holder with no refs");
        require(!l.state.holders.empty(), "a leak with no holder");
    }
    for (std::size_t i = 1; i < a.findings.size(); ++i)
        require(a.findings[i - 1].time_ns <= a.findings[i].time_ns, "findings out of time order");
}

// What a streamed JSON writer wrote, read back.
template <class Write>
std::string streamed(Write write)
{
    char *buf = nullptr;
    std::size_t len = 0;
    std::FILE *f = open_memstream(&buf, &len);
    require(f != nullptr, "open_memstream failed");
    write(f);
    std::fclose(f);
    std::string out(buf, len);
    std::free(buf);
    return out;
}

// Every report, text and JSON, built from the analysis. With `serialize` (half the inputs: dumping was half
// of each execution's time) the JSON is dumped too, and the streamed writers the CLI uses for blockers and
// stats must write exactly the document. Each is compared right after its document is built: the symbolizer's
// warnings grow with every site resolved, and the CLI makes one report per run.
void format_everything(const query::Analysis &a, const Input &x)
{
    static Symbolizer sym{SymbolizerOptions{}}; // no module: every site unresolved (or unknown, address 0)
    const TraceSummary &t = a.summary;
    const query::AnalysisOptions &o = x.options;
    std::vector<nlohmann::json> docs;
    docs.push_back(blockers_json(t, a.blocked, sym));
    if (x.serialize)
        require(streamed([&](std::FILE *f) { write_blockers_json(f, t, a.blocked, sym); }) ==
                    docs.back().dump(2) + "\n",
                "streamed blockers JSON differs from the document");
    docs.push_back(stats_json(t, a.findings, sym));
    if (x.serialize)
        require(streamed([&](std::FILE *f) { write_stats_json(f, t, a.findings, sym); }) ==
                    docs.back().dump(2) + "\n",
                "streamed stats JSON differs from the document");
    docs.push_back(leaks_json(t, a.leaks, sym, a.findings));
    docs.push_back(sites_json(t, a.sites, sym));
    blockers_text(t, a.blocked, sym);
    stats_text(t, a.findings, sym);
    leaks_text(t, a.leaks, sym, a.findings);
    sites_text(t, a.sites, sym);
    for (const ObjectState &s : a.holders) {
        docs.push_back(holders_json(t, s, sym));
        holders_text(t, s, sym);
    }
    if (o.object) {
        const ObjectKey key{o.pid.value_or(unknown_id), *o.object, 0};
        docs.push_back(history_json(t, key, a.history, sym));
        history_text(t, key, a.history, sym);
    }
    if (x.serialize)
        for (const nlohmann::json &d : docs)
            d.dump();
}

// The same analysis with the attribution split into shards (as many as by default) over three threads.
query::AnalysisOptions sharded(query::AnalysisOptions o)
{
    o.threads = 3;
    o.lanes = 0;
    return o;
}

// Every whole-trace report as JSON (a fresh symbolizer: its warnings grow with what it resolved).
std::vector<std::string> reports(const query::Analysis &a)
{
    Symbolizer sym{SymbolizerOptions{}};
    const TraceSummary &t = a.summary;
    return {blockers_json(t, a.blocked, sym).dump(), sites_json(t, a.sites, sym).dump(),
            leaks_json(t, a.leaks, sym, a.findings).dump(), stats_json(t, a.findings, sym).dump(),
            balance_json(t, a.site_uses, sym).dump()};
}

// The sharded analysis's reports must be one replay's, byte for byte; the first that differs is printed.
void same_reports(const std::vector<std::string> &one, const std::vector<std::string> &shards)
{
    for (std::size_t i = 0; i < one.size(); ++i)
        if (one[i] != shards[i])
            std::fprintf(stderr, "one replay:\n%s\nin shards:\n%s\n", one[i].c_str(), shards[i].c_str());
    require(one == shards, "the attribution in shards answered differently from one replay");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    FuzzedDataProvider in(data, size);
    const Input x = decode(in);
    const query::TracePass pass = [&x](EventSink &sink) {
        std::size_t next_loss = 0;
        for (std::size_t i = 0; i < x.events.size(); ++i) {
            while (next_loss < x.losses.size() && x.losses[next_loss].first <= i)
                sink.on_loss(x.losses[next_loss++].second);
            sink.on_event(x.events[i]);
        }
        while (next_loss < x.losses.size())
            sink.on_loss(x.losses[next_loss++].second);
    };
    try {
        const query::Analysis a = query::analyze(pass, x.options);
        check(a);
        if (!x.options.object)
            same_reports(reports(a), reports(query::analyze(pass, sharded(x.options))));
        format_everything(a, x);
    } catch (const refblame::UserError &) {
        // an --object that is not in the trace, or not yet at --at: the user's mistake, said in words
    }
    return 0;
}
