// site_view.hpp: how a call site and a holder group read in JSON and in text, symbolized on the way.
#pragma once

#include "model/report.hpp"
#include "symbolize/symbolizer.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace refblame::analyzer {

std::string hex(std::uint64_t v);

// {"address", "module", "function", "file", "line"}; unresolved: module+offset only; address 0 (a reference
// of unknown origin): address "0x0", the other fields null, and "unknown": "unknown (taken before tracing or across a gap)".
nlohmann::json site_json(const SymbolizedSite &s);

// "dma_submit  examples/page_pool.c:62", "page_pool+0x1234" when unresolved, or
// "unknown (taken before tracing or across a gap)" for address 0.
std::string site_label(const SymbolizedSite &s);

// One holder group as DESIGN.md's holder object; "stack" (the caller, then the
// recorded frames, each a site) when a stack was recorded.
nlohmann::json holder_json(const HeldRefs &h, Symbolizer &sym);

// The source location two sites are merged by across processes (addresses differ per process).
std::string site_identity(const SymbolizedSite &s);

} // namespace refblame::analyzer
