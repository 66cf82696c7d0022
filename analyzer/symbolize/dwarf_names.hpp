// dwarf_names.hpp: the display name of a function's DWARF entry (demangled linkage name, else its name qualified by its enclosing scopes), cached.
#pragma once

#include <elfutils/libdw.h>

#include <map>
#include <string>
#include <utility>

namespace refblame::analyzer {

// Names are built so that one function reads the same whether it was inlined
// or not: "ns::Class::method", "f::{lambda}::operator()", "(anonymous namespace)::g".
class FunctionNames {
public:
    // `die`: a DW_TAG_subprogram or DW_TAG_inlined_subroutine.
    const std::string &name_of(Dwarf_Die *die);

private:
    std::string compute(Dwarf_Die *die, int depth);
    std::string qualified(Dwarf_Die *origin, std::string base, int depth);
    std::map<std::pair<const Dwarf *, Dwarf_Off>, std::string> cache_; // by DIE (a dwz file is another Dwarf)
};

} // namespace refblame::analyzer
