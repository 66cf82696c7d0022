// demangle.hpp: turns symbol and DWARF names into the function names people read (demangled, no clone suffix, no parameters).
#pragma once

#include <string>
#include <string_view>

namespace refblame::analyzer {

// A symbol without GCC's clone suffixes: "pin.constprop.0" -> "pin",
// "_ZL4takeP3Obji.isra.0" -> "_ZL4takeP3Obji" (.constprop, .isra, .part,
// .cold, .lto_priv, ... : everything from the first '.').
std::string_view strip_clone_suffix(std::string_view symbol);

// abi::__cxa_demangle of a mangled C++ name; the input unchanged when it is
// not one (C names, already demangled text).
std::string demangle(std::string_view symbol);

// The qualified name of a demangled function without return type, parameter
// lists or qualifiers, lambdas written `{lambda}`:
//   "void ns::hold<Obj>(ref_ptr<Obj> const&)"          -> "ns::hold<Obj>"
//   "f(int)::{lambda(int)#1}::operator()(int) const"   -> "f::{lambda}::operator()"
//   "(anonymous namespace)::take(Obj*, int)"           -> "(anonymous namespace)::take"
std::string short_function_name(std::string_view demangled);

// All three: a symbol table or DW_AT_linkage_name entry as it is displayed.
std::string display_function_name(std::string_view symbol);

} // namespace refblame::analyzer
