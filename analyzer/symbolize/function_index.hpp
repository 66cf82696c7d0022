// function_index.hpp: per compilation unit, which function's code holds an address (its DWARF subprogram), built once per CU and binary-searched.
#pragma once

#include <elfutils/libdw.h>

#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace refblame::analyzer {

class FunctionIndex {
public:
    // The out-of-line function (DW_TAG_subprogram with code) of `cu` whose
    // ranges hold `pc` (a DWARF address); the smallest one when nested.
    std::optional<Dwarf_Die> function_at(Dwarf_Die *cu, Dwarf_Addr pc);

private:
    struct Range {
        Dwarf_Addr low = 0, high = 0; // [low, high)
        Dwarf_Die die;
    };
    struct Cu {
        std::vector<Range> ranges; // sorted by low
        Dwarf_Addr longest = 0;    // bounds the backward search
    };
    const Cu &cu_of(Dwarf_Die *cu);
    std::map<std::pair<const Dwarf *, Dwarf_Off>, Cu> cus_;
};

} // namespace refblame::analyzer
