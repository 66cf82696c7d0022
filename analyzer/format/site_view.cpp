// site_view.cpp: how a call site and a holder group read in JSON and in text.
#include "format/site_view.hpp"

#include <cstdio>

namespace refblame::analyzer {

std::string hex(std::uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

static std::string basename_of(const std::string &path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Refs with no acquire site (address 0): held when tracing started, or rebuilt after a gap in the counts.
constexpr const char *unknown_origin = "unknown (taken before tracing or across a gap)";

nlohmann::json site_json(const SymbolizedSite &s)
{
    nlohmann::json j;
    if (s.address == 0) {
        j["address"] = hex(0);
        j["module"] = nullptr;
        j["function"] = nullptr;
        j["file"] = nullptr;
        j["line"] = nullptr;
        j["unknown"] = unknown_origin;
        return j;
    }
    j["address"] = hex(s.address);
    j["module"] = s.module.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.module);
    if (s.resolved) {
        j["function"] = s.function;
        j["file"] = s.file;
        j["line"] = s.line;
    } else {
        j["function"] = nullptr;
        j["file"] = nullptr;
        j["line"] = nullptr;
        j["offset"] = hex(s.offset);
    }
    if (s.in_library_code)
        j["in_library_code"] = true;
    if (s.through_wrapper)
        j["through_wrapper"] = true;
    if (s.maybe_helper)
        j["maybe_helper"] = true;
    return j;
}

std::string site_label(const SymbolizedSite &s)
{
    if (s.address == 0)
        return unknown_origin;
    if (s.resolved) {
        std::string label = s.function.empty() ? "??" : s.function;
        label += "  " + s.file + ":" + std::to_string(s.line);
        if (s.in_library_code && s.stack_too_short)
            label += "  (inside library code; every recorded frame is too: record with a larger --stack)";
        else if (s.in_library_code)
            label += "  (inside library code; record with --stack to name the caller)";
        else if (s.through_wrapper)
            label += "  (a wrapper; no recorded frame names its caller: record with a larger --stack)";
        else if (s.maybe_helper)
            label += "  (no call stacks recorded: if this is a helper called from several places, record with "
                     "--stack 8 to name its callers)";
        return label;
    }
    if (s.module.empty())
        return hex(s.address) + " (no module mapped)";
    return basename_of(s.module) + "+" + hex(s.offset);
}

std::string site_identity(const SymbolizedSite &s)
{
    if (s.address == 0)
        return "unknown";
    if (s.resolved)
        return s.function + "\n" + s.file + "\n" + std::to_string(s.line);
    return s.module + "\n" + hex(s.offset);
}

nlohmann::json holder_json(const HeldRefs &h, Symbolizer &sym) // BlockedWriter::holder writes it as text too
{
    nlohmann::json j;
    j["refs"] = h.refs;
    j["tid"] = h.tid;
    j["since_ns"] = h.since_ns;
    j["holder"] = h.holder ? nlohmann::json(hex(h.holder)) : nlohmann::json(nullptr);
    j["confidence"] = std::string(confidence_name(h.confidence));
    j["expected"] = h.expected;
    j["site"] = site_json(sym.resolve(h.site));
    if (std::vector<SymbolizedSite> frames = sym.stack(h.site); !frames.empty()) {
        nlohmann::json stack = nlohmann::json::array();
        for (const SymbolizedSite &f : frames)
            stack.push_back(site_json(f));
        j["stack"] = std::move(stack);
    }
    if (h.uncertain)
        j["uncertain"] = true;
    return j;
}

} // namespace refblame::analyzer
