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

nlohmann::json site_json(const SymbolizedSite &s)
{
    nlohmann::json j;
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
    return j;
}

std::string site_label(const SymbolizedSite &s)
{
    if (s.resolved) {
        std::string label = s.function.empty() ? "??" : s.function;
        label += "  " + s.file + ":" + std::to_string(s.line);
        if (s.in_library_code)
            label += "  (inside library code; record with --stack to name the caller)";
        return label;
    }
    if (s.module.empty())
        return hex(s.address) + " (no module mapped)";
    return basename_of(s.module) + "+" + hex(s.offset);
}

std::string site_identity(const SymbolizedSite &s)
{
    if (s.resolved)
        return s.function + "\n" + s.file + "\n" + std::to_string(s.line);
    return s.module + "\n" + hex(s.offset);
}

nlohmann::json holder_json(const HeldRefs &h, Symbolizer &sym)
{
    nlohmann::json j;
    j["refs"] = h.refs;
    j["tid"] = h.tid;
    j["since_ns"] = h.since_ns;
    j["holder"] = h.holder ? nlohmann::json(hex(h.holder)) : nlohmann::json(nullptr);
    j["confidence"] = std::string(confidence_name(h.confidence));
    j["expected"] = h.expected;
    j["site"] = site_json(sym.resolve(h.site.pid, h.site.address));
    if (h.uncertain)
        j["uncertain"] = true;
    return j;
}

} // namespace refblame::analyzer
