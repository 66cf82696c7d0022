// dwarf_names.cpp: naming DWARF functions: linkage names through abstract_origin/specification, scope qualification for entries without one (lambdas, anonymous namespaces).
#include "symbolize/dwarf_names.hpp"

#include "symbolize/demangle.hpp"

#include <dwarf.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace refblame::analyzer {

namespace {

constexpr int max_depth = 8; // of nested function scopes (a lambda in a lambda ...)

const char *linkage_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    for (int at : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name})
        if (dwarf_attr_integrate(die, at, &attr))
            if (const char *s = dwarf_formstring(&attr))
                return s;
    return nullptr;
}

const char *plain_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    return dwarf_attr_integrate(die, DW_AT_name, &attr) ? dwarf_formstring(&attr) : nullptr;
}

// The declaration an inlined or out-of-line instance refers to: it sits in
// the scope (namespace, class, function) that qualifies the name.
Dwarf_Die declaration_of(Dwarf_Die *die)
{
    Dwarf_Die cur = *die;
    for (int i = 0; i < 8; ++i) {
        Dwarf_Attribute attr;
        Dwarf_Die next;
        if (dwarf_attr(&cur, DW_AT_abstract_origin, &attr) && dwarf_formref_die(&attr, &next))
            cur = next;
        else if (dwarf_attr(&cur, DW_AT_specification, &attr) && dwarf_formref_die(&attr, &next))
            cur = next;
        else
            break;
    }
    return cur;
}

bool is_c(int lang)
{
    return lang == DW_LANG_C89 || lang == DW_LANG_C || lang == DW_LANG_C99 || lang == DW_LANG_C11 ||
           lang == 0x2c; // DW_LANG_C17 (DWARF 6 draft, emitted by newer GCCs)
}

bool is_closure(Dwarf_Die *type)
{
    Dwarf_Die child;
    if (dwarf_child(type, &child) != 0)
        return false;
    do {
        if (dwarf_tag(&child) == DW_TAG_subprogram) {
            const char *n = dwarf_diename(&child);
            if (n && std::strcmp(n, "operator()") == 0)
                return true;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return false;
}

} // namespace

const std::string &FunctionNames::name_of(Dwarf_Die *die)
{
    std::pair<const Dwarf *, Dwarf_Off> key{dwarf_cu_getdwarf(die->cu), dwarf_dieoffset(die)};
    auto it = cache_.find(key);
    if (it != cache_.end())
        return it->second;
    return cache_.emplace(key, compute(die, 0)).first->second;
}

std::string FunctionNames::compute(Dwarf_Die *die, int depth)
{
    if (const char *linkage = linkage_name(die))
        return display_function_name(linkage);
    Dwarf_Die decl = declaration_of(die);
    const char *name = plain_name(&decl);
    std::string base = name ? std::string(name) : std::string("??");
    Dwarf_Die cu;
    if (dwarf_diecu(&decl, &cu, nullptr, nullptr) && is_c(dwarf_srclang(&cu)))
        return base; // no scopes to qualify with (and no walk of the CU to find them)
    return qualified(&decl, std::move(base), depth);
}

std::string FunctionNames::qualified(Dwarf_Die *origin, std::string base, int depth)
{
    Dwarf_Die *raw = nullptr;
    int n = dwarf_getscopes_die(origin, &raw);
    std::unique_ptr<Dwarf_Die, decltype(&std::free)> scopes(raw, &std::free);
    std::string out = std::move(base);
    for (int i = 1; i < n; ++i) {
        Dwarf_Die *s = &raw[i];
        const char *name = dwarf_diename(s);
        switch (dwarf_tag(s)) {
        case DW_TAG_namespace:
            out = std::string(name ? name : "(anonymous namespace)") + "::" + out;
            break;
        case DW_TAG_class_type:
        case DW_TAG_structure_type:
        case DW_TAG_union_type:
            out = std::string(name ? name : is_closure(s) ? "{lambda}" : "{unnamed type}") + "::" + out;
            break;
        case DW_TAG_subprogram: // a local class: qualified by its function, which names itself
            if (depth < max_depth)
                out = compute(s, depth + 1) + "::" + out;
            return out;
        case DW_TAG_compile_unit:
        case DW_TAG_partial_unit:
        case DW_TAG_type_unit:
            return out;
        default: // lexical blocks
            break;
        }
    }
    return out;
}

} // namespace refblame::analyzer
