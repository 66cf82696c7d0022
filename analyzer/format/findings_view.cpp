// findings_view.cpp: program bugs (findings) and process ends as they read in JSON and in text.
#include "format/findings_view.hpp"

#include "format/site_view.hpp"

#include <cinttypes>
#include <cstdio>

namespace refblame::analyzer {

using nlohmann::json;

namespace {

constexpr std::size_t max_findings_listed = 20; // findings detailed in text (JSON lists every one)

std::string seconds_since_start(const TraceSummary &t, std::uint64_t ns)
{
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6f s", ns >= t.first_ns ? double(ns - t.first_ns) / 1e9 : 0.0);
    return buf;
}

} // namespace

std::string_view finding_meaning(FindingKind k)
{
    switch (k) {
    case FindingKind::underflow: return "a put without a get: the count went below zero";
    case FindingKind::get_on_frozen: return "a get on a frozen object (count 0 after a successful freeze)";
    case FindingKind::freed_with_refs: return "obj_free while references were still counted";
    case FindingKind::double_free: return "obj_free on an object already freed";
    case FindingKind::use_after_free: return "an operation on a freed object (no new obj_init)";
    case FindingKind::reinit_with_refs: return "obj_init on a live object that still had references";
    }
    return "?";
}

json finding_json(const Finding &f, Symbolizer &sym)
{
    json j = {{"kind", std::string(finding_name(f.what))},
              {"pid", f.object.pid},
              {"object", hex(f.object.obj)},
              {"generation", f.object.generation},
              {"object_kind", f.kind},
              {"time_ns", f.time_ns},
              {"tid", f.tid},
              {"event", std::string(op_name(f.op))},
              {"count", f.count}};
    j["holder"] = f.holder ? json(hex(f.holder)) : json(nullptr);
    j["site"] = site_json(sym.resolve(f.site));
    j["what"] = std::string(finding_meaning(f.what));
    return j;
}

json findings_json(const std::vector<Finding> &findings, Symbolizer &sym)
{
    json a = json::array();
    for (const Finding &f : findings)
        a.push_back(finding_json(f, sym));
    return a;
}

std::string findings_text(const TraceSummary &t, const std::vector<Finding> &findings, Symbolizer &sym)
{
    if (findings.empty() && t.findings == 0)
        return "";
    std::string out = "\nProgram bugs found: " + std::to_string(t.findings) + " (in time order)\n";
    for (std::size_t i = 0; i < findings.size() && i < max_findings_listed; ++i) {
        const Finding &f = findings[i];
        char head[160];
        std::snprintf(head, sizeof head, "  %-16s %s %s (pid %d) at %s: count %d after %s", finding_name(f.what).data(),
                      f.kind.empty() ? "object" : f.kind.c_str(), hex(f.object.obj).c_str(), f.object.pid,
                      seconds_since_start(t, f.time_ns).c_str(), f.count, std::string(op_name(f.op)).c_str());
        out += head;
        if (f.holder)
            out += " by holder " + hex(f.holder);
        out += "\n      at " + site_label(sym.resolve(f.site)) + "  (" +
               std::string(finding_meaning(f.what)) + ")\n";
    }
    if (findings.size() > max_findings_listed)
        out += "  ... " + std::to_string(findings.size() - max_findings_listed) + " more (--format json lists every one)\n";
    return out;
}

json process_ends_json(const std::vector<ProcessEnd> &ends)
{
    json a = json::array();
    for (const ProcessEnd &e : ends)
        a.push_back({{"pid", e.pid},
                     {"program", e.program},
                     {"exit_status", e.exit_status},
                     {"signal", e.signal},
                     {"abnormal", e.abnormal()}});
    return a;
}

} // namespace refblame::analyzer
