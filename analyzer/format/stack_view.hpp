// stack_view.hpp: how a recorded call stack reads: one frame per line in text, a frame name for folded stacks.
#pragma once

#include "model/report.hpp"
#include "symbolize/symbolizer.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace refblame::analyzer {

// "Cache::fill  cache.cpp:21", "libfoo.so+0x1234", "0x7f.. (no module mapped)": no hints.
std::string frame_label(const SymbolizedSite &s);

// A frame as a folded-stack frame name: "Cache::fill" (the function), "libfoo.so+0x1234"
// unresolved; no ';' (the folded format's separator) and no trailing count-like space.
std::string folded_frame(const SymbolizedSite &s);

// key's stack in text, one frame per line after `indent` (the frame naming
// the site marked), at most `max_frames`; "" when key has no recorded stack.
std::string stack_text(const SiteKey &key, Symbolizer &sym, const std::string &indent, std::size_t max_frames = 8);

// key's frames outermost first (folded order): the recorded stack reversed,
// then the caller; just the site when no stack was recorded.
std::vector<std::string> folded_frames(const SiteKey &key, Symbolizer &sym);

} // namespace refblame::analyzer
