// function_index.cpp: one walk of a CU collects every subprogram with code and its ranges, wherever it is nested (namespaces, closure types).
#include "symbolize/function_index.hpp"

#include <dwarf.h>

#include <algorithm>

namespace refblame::analyzer {

namespace {

// Every DW_TAG_subprogram with code below `parent`. The walk goes into types
// and functions too: GCC puts a lambda's operator() inside its closure type,
// inside the enclosing function; other producers nest definitions in namespaces.
template <class Add>
void collect(Dwarf_Die *parent, Add &add, int depth)
{
    if (depth > 64)
        return;
    Dwarf_Die child;
    if (dwarf_child(parent, &child) != 0)
        return;
    do {
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_subprogram)
            add(child);
        if (tag == DW_TAG_subprogram || tag == DW_TAG_namespace || tag == DW_TAG_class_type ||
            tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_lexical_block ||
            tag == DW_TAG_inlined_subroutine)
            collect(&child, add, depth + 1);
    } while (dwarf_siblingof(&child, &child) == 0);
}

} // namespace

const FunctionIndex::Cu &FunctionIndex::cu_of(Dwarf_Die *cudie)
{
    std::pair<const Dwarf *, Dwarf_Off> key{dwarf_cu_getdwarf(cudie->cu), dwarf_dieoffset(cudie)};
    auto it = cus_.find(key);
    if (it != cus_.end())
        return it->second;
    Cu cu;
    auto add = [&](Dwarf_Die &die) {
        Dwarf_Addr base = 0, low = 0, high = 0;
        for (ptrdiff_t off = 0; (off = dwarf_ranges(&die, off, &base, &low, &high)) > 0;) {
            if (high > low) {
                cu.ranges.push_back(Range{low, high, die});
                cu.longest = std::max(cu.longest, high - low);
            }
        }
    };
    collect(cudie, add, 0);
    std::sort(cu.ranges.begin(), cu.ranges.end(), [](const Range &a, const Range &b) { return a.low < b.low; });
    return cus_.emplace(key, std::move(cu)).first->second;
}

std::optional<Dwarf_Die> FunctionIndex::function_at(Dwarf_Die *cudie, Dwarf_Addr pc)
{
    const Cu &cu = cu_of(cudie);
    auto end = std::upper_bound(cu.ranges.begin(), cu.ranges.end(), pc,
                                [](Dwarf_Addr a, const Range &r) { return a < r.low; });
    std::optional<Dwarf_Die> best;
    Dwarf_Addr best_size = 0;
    for (auto it = end; it != cu.ranges.begin();) {
        --it;
        if (pc - it->low >= cu.longest)
            break; // no range starting this early reaches pc
        if (pc < it->high && (!best || it->high - it->low < best_size)) {
            best = it->die;
            best_size = it->high - it->low;
        }
    }
    return best;
}

} // namespace refblame::analyzer
