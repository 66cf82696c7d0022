// inline_chain.hpp: the source frames at one code address, innermost inlined frame first, each with the file:line executing in it.
#pragma once

#include "symbolize/dwarf_names.hpp"
#include "symbolize/function_index.hpp"
#include "symbolize/symbolizer.hpp"

#include <elfutils/libdwfl.h>

#include <vector>

namespace refblame::analyzer {

// The inline chains of one module's addresses; keeps the per-CU function
// index and the function names it has built.
class InlineChains {
public:
    // Frames at `address` (a module address, see DwflModule): frame i is a
    // function and the line executing in it; for i > 0 that line is where
    // frame i-1 was inlined (DW_AT_call_file/DW_AT_call_line). The last frame
    // is the out-of-line function. Without DWARF for the address, one frame
    // from the symbol table (file:line unknown). Empty when nothing is known.
    std::vector<SourceFrame> at(Dwfl_Module *mod, Dwarf_Addr address);

private:
    FunctionIndex functions_;
    FunctionNames names_;
};

} // namespace refblame::analyzer
