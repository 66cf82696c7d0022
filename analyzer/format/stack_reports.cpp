// stack_reports.cpp: sites by stack, folded stacks of leaks and blockers, and the get/put balance tree.
#include "format/stack_reports.hpp"

#include "format/site_view.hpp"
#include "format/stack_view.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>

namespace refblame::analyzer {

using nlohmann::json;

namespace {

json header_json(const TraceSummary &t)
{
    return {{"trace", t.trace}, {"events", t.events}, {"lost_events", t.lost_events}, {"warnings", t.warnings}};
}

std::string header_text(const TraceSummary &t)
{
    std::string out;
    if (t.lost_events || t.lost_packets)
        out += "WARNING: the tracer lost events (" + std::to_string(t.lost_events) +
               " reported): counts near the losses are uncertain.\n";
    for (const std::string &w : t.warnings)
        out += "warning: " + w + "\n";
    return out;
}

std::string notes(Symbolizer &sym)
{
    std::string out;
    for (const std::string &w : sym.warnings())
        out += "note: " + w + "\n";
    if (!sym.has_stacks())
        out += "note: no call stacks in this trace (recorded with --stack 0?): each site is its caller only\n";
    return out;
}

// key's frames innermost first: the recorded stack, or just the site.
std::vector<SymbolizedSite> frames_of(const SiteKey &key, Symbolizer &sym)
{
    std::vector<SymbolizedSite> frames = sym.stack(key);
    if (frames.empty())
        frames.push_back(sym.resolve(key));
    return frames;
}

std::string joined(const std::vector<std::string> &frames)
{
    std::string line;
    for (const std::string &f : frames)
        line += (line.empty() ? "" : ";") + f;
    return line;
}

std::string folded(const std::map<std::string, std::uint64_t> &lines)
{
    std::string out;
    for (const auto &[stack, n] : lines)
        if (n)
            out += stack + " " + std::to_string(n) + "\n";
    return out;
}

// One row of `sites --by stack`.
struct StackRow {
    SiteKey key; // a representative
    SiteStats stats;
};

std::vector<StackRow> stack_rows(const std::vector<SiteStats> &sites, Symbolizer &sym)
{
    std::map<std::string, std::size_t> index;
    std::vector<StackRow> rows;
    for (const SiteStats &s : sites) {
        std::string id = site_identity(sym.resolve(s.site));
        for (const SymbolizedSite &f : sym.stack(s.site))
            id += "\n" + frame_label(f);
        auto [it, fresh] = index.try_emplace(id, rows.size());
        if (fresh)
            rows.push_back({s.site, SiteStats{}});
        SiteStats &r = rows[it->second].stats;
        r.gets += s.gets;
        r.puts += s.puts;
        r.outstanding += s.outstanding;
        r.hold_ns_total += s.hold_ns_total;
        r.hold_ns_max = std::max(r.hold_ns_max, s.hold_ns_max);
        r.blocked += s.blocked;
        r.blocked_refs += s.blocked_refs;
    }
    std::stable_sort(rows.begin(), rows.end(), [](const StackRow &a, const StackRow &b) {
        return a.stats.blocked != b.stats.blocked ? a.stats.blocked > b.stats.blocked
                                                  : a.stats.outstanding > b.stats.outstanding;
    });
    return rows;
}

// The balance tree: one node per frame along the stacks, outermost first.
struct Node {
    SymbolizedSite frame;
    std::int64_t balance = 0;
    std::uint64_t acquired = 0, released = 0;
    std::map<std::string, std::size_t> children; // by frame_label
};

struct Tree {
    std::vector<Node> nodes = std::vector<Node>(1); // nodes[0]: the root above every outermost frame
    std::uint64_t acquired = 0, released = 0;
};

Tree balance_tree(const std::vector<SiteUse> &uses, Symbolizer &sym)
{
    Tree t;
    for (const SiteUse &u : uses) {
        if (!u.acquired && !u.released)
            continue;
        t.acquired += u.acquired;
        t.released += u.released;
        std::vector<SymbolizedSite> frames = frames_of(u.site, sym);
        std::size_t at = 0;
        for (auto f = frames.rbegin(); f != frames.rend(); ++f) {
            auto [it, fresh] = t.nodes[at].children.try_emplace(frame_label(*f), t.nodes.size());
            std::size_t child = it->second;
            if (fresh)
                t.nodes.push_back(Node{*f, 0, 0, 0, {}});
            Node &n = t.nodes[child];
            n.acquired += u.acquired;
            n.released += u.released;
            n.balance += static_cast<std::int64_t>(u.acquired) - static_cast<std::int64_t>(u.released);
            at = child;
        }
    }
    return t;
}

// Unbalanced children of `n`, most unbalanced first.
std::vector<std::size_t> unbalanced(const Tree &t, const Node &n)
{
    std::vector<std::size_t> out;
    for (const auto &[label, i] : n.children)
        if (t.nodes[i].balance != 0)
            out.push_back(i);
    std::stable_sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) {
        return std::llabs(t.nodes[a].balance) > std::llabs(t.nodes[b].balance);
    });
    return out;
}

void node_text(const Tree &t, std::size_t i, int depth, std::string &out)
{
    const Node &n = t.nodes[i];
    char num[64];
    std::snprintf(num, sizeof num, "%+" PRId64, n.balance);
    out += std::string(2 + 2 * static_cast<std::size_t>(depth), ' ') + num + "  " + frame_label(n.frame) +
           "  (acquired " + std::to_string(n.acquired) + ", released " + std::to_string(n.released) + ")\n";
    for (std::size_t c : unbalanced(t, n))
        node_text(t, c, depth + 1, out);
}

json node_json(const Tree &t, std::size_t i)
{
    const Node &n = t.nodes[i];
    json children = json::array();
    for (std::size_t c : unbalanced(t, n))
        children.push_back(node_json(t, c));
    return {{"frame", site_json(n.frame)},
            {"balance", n.balance},
            {"acquired", n.acquired},
            {"released", n.released},
            {"children", std::move(children)}};
}

} // namespace

json sites_by_stack_json(const TraceSummary &t, const std::vector<SiteStats> &sites, Symbolizer &sym)
{
    json j = header_json(t);
    json rows = json::array();
    for (const StackRow &r : stack_rows(sites, sym)) {
        json row = {{"site", site_json(sym.resolve(r.key))},
                    {"gets", r.stats.gets},
                    {"puts", r.stats.puts},
                    {"outstanding", r.stats.outstanding},
                    {"hold_ns_mean", r.stats.puts ? r.stats.hold_ns_total / r.stats.puts : 0},
                    {"hold_ns_max", r.stats.hold_ns_max},
                    {"blocked", r.stats.blocked},
                    {"blocked_refs", r.stats.blocked_refs}};
        if (std::vector<SymbolizedSite> frames = sym.stack(r.key); !frames.empty()) {
            json stack = json::array();
            for (const SymbolizedSite &f : frames)
                stack.push_back(site_json(f));
            row["stack"] = std::move(stack);
        }
        rows.push_back(std::move(row));
    }
    j["sites"] = std::move(rows);
    j["symbol_warnings"] = sym.warnings();
    return j;
}

std::string sites_by_stack_text(const TraceSummary &t, const std::vector<SiteStats> &sites, Symbolizer &sym)
{
    std::vector<StackRow> rows = stack_rows(sites, sym);
    std::string out = std::to_string(rows.size()) + " acquire stacks (" + std::to_string(t.events) + " events)\n";
    out += header_text(t);
    out += "  blocked     gets     puts  outstanding  site\n";
    for (const StackRow &r : rows) {
        char line[128];
        std::snprintf(line, sizeof line, "  %7" PRIu64 "  %7" PRIu64 "  %7" PRIu64 "  %11" PRIu64 "  ", r.stats.blocked,
                      r.stats.gets, r.stats.puts, r.stats.outstanding);
        out += line + site_label(sym.resolve(r.key)) + "\n";
        out += stack_text(r.key, sym, std::string(47, ' '), 16);
    }
    return out + notes(sym);
}

std::string leaks_folded(const std::vector<LeakedObject> &leaks, Symbolizer &sym)
{
    std::map<std::string, std::uint64_t> lines;
    for (const LeakedObject &l : leaks)
        for (const HeldRefs &h : l.state.holders)
            lines[joined(folded_frames(h.site, sym))] += static_cast<std::uint64_t>(std::max(h.refs, 0));
    return folded(lines);
}

std::string blockers_folded(const std::vector<Blocked> &blocked, Symbolizer &sym)
{
    std::map<std::string, std::uint64_t> lines;
    for (const Blocked &b : blocked)
        for (const HeldRefs &h : b.holders)
            if (!h.expected)
                lines[joined(folded_frames(h.site, sym))] += static_cast<std::uint64_t>(std::max(h.refs, 0));
    return folded(lines);
}

json balance_json(const TraceSummary &t, const std::vector<SiteUse> &uses, Symbolizer &sym)
{
    Tree tree = balance_tree(uses, sym);
    json j = header_json(t);
    j["acquired"] = tree.acquired;
    j["released"] = tree.released;
    j["balance"] = static_cast<std::int64_t>(tree.acquired) - static_cast<std::int64_t>(tree.released);
    j["stacks"] = sym.has_stacks();
    json roots = json::array();
    for (std::size_t c : unbalanced(tree, tree.nodes[0]))
        roots.push_back(node_json(tree, c));
    j["tree"] = std::move(roots);
    j["symbol_warnings"] = sym.warnings();
    return j;
}

std::string balance_text(const TraceSummary &t, const std::vector<SiteUse> &uses, Symbolizer &sym)
{
    Tree tree = balance_tree(uses, sym);
    const std::int64_t total = static_cast<std::int64_t>(tree.acquired) - static_cast<std::int64_t>(tree.released);
    char num[64];
    std::snprintf(num, sizeof num, "%+" PRId64, total);
    std::string out = std::string("balance ") + num + ": " + std::to_string(tree.acquired) +
                      " references acquired, " + std::to_string(tree.released) +
                      " released (+1 along each acquire's stack, -1 along each release's)\n";
    out += header_text(t);
    std::vector<std::size_t> roots = unbalanced(tree, tree.nodes[0]);
    if (roots.empty())
        out += "Every stack balances: no unbalanced subtree.\n";
    else
        out += "Unbalanced subtrees, outermost frame first:\n";
    for (std::size_t c : roots)
        node_text(tree, c, 0, out);
    return out + notes(sym);
}

} // namespace refblame::analyzer
