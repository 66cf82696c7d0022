// inline_chain.cpp: from an address's function through the subroutines inlined into it, each frame's function and line; the symbol-table fallback.
#include "symbolize/inline_chain.hpp"

#include "symbolize/demangle.hpp"

#include <dwarf.h>
#include <gelf.h>

#include <filesystem>
#include <string>

namespace refblame::analyzer {

namespace {

struct Location {
    std::string file;
    int line = 0;
};

std::string absolute(const char *file, const char *comp_dir)
{
    if (!file)
        return {};
    if (file[0] == '/' || !comp_dir || !*comp_dir)
        return file;
    return (std::filesystem::path(comp_dir) / file).lexically_normal().string();
}

const char *comp_dir_of(Dwarf_Die *cu)
{
    Dwarf_Attribute attr;
    return dwarf_attr(cu, DW_AT_comp_dir, &attr) ? dwarf_formstring(&attr) : nullptr;
}

Location line_at(Dwfl_Module *mod, Dwarf_Addr address, const char *comp_dir)
{
    Location loc;
    if (Dwfl_Line *line = dwfl_module_getsrc(mod, address))
        loc.file = absolute(dwfl_lineinfo(line, nullptr, &loc.line, nullptr, nullptr, nullptr), comp_dir);
    return loc;
}

// Where an inlined subroutine was called from, in its caller.
Location call_site(Dwarf_Die *inlined, Dwarf_Files *files, std::size_t nfiles, const char *comp_dir)
{
    Location loc;
    Dwarf_Attribute attr;
    Dwarf_Word value = 0;
    if (files && dwarf_attr(inlined, DW_AT_call_file, &attr) && dwarf_formudata(&attr, &value) == 0 &&
        value < nfiles)
        loc.file = absolute(dwarf_filesrc(files, value, nullptr, nullptr), comp_dir);
    if (dwarf_attr(inlined, DW_AT_call_line, &attr) && dwarf_formudata(&attr, &value) == 0)
        loc.line = static_cast<int>(value);
    return loc;
}

bool is_code_scope(int tag)
{
    return tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block || tag == DW_TAG_try_block ||
           tag == DW_TAG_catch_block || tag == DW_TAG_entry_point;
}

// The scopes inside `parent` whose code ranges hold `pc`, outermost first:
// the subroutines inlined into it and their lexical blocks.
void scopes_at(Dwarf_Die *parent, Dwarf_Addr pc, std::vector<Dwarf_Die> &path, int depth)
{
    Dwarf_Die child;
    if (depth > 64 || dwarf_child(parent, &child) != 0)
        return;
    do {
        if (is_code_scope(dwarf_tag(&child)) && dwarf_haspc(&child, pc) == 1) {
            path.push_back(child);
            scopes_at(&child, pc, path, depth + 1);
            return;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
}

std::vector<SourceFrame> from_symbol_table(Dwfl_Module *mod, Dwarf_Addr address)
{
    GElf_Off offset = 0;
    GElf_Sym sym;
    const char *name = dwfl_module_addrinfo(mod, address, &offset, &sym, nullptr, nullptr, nullptr);
    // Only a function whose extent holds the address: the nearest preceding
    // symbol of a stripped binary, or a data object, would name the wrong thing.
    int type = GELF_ST_TYPE(sym.st_info);
    if (!name || (type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_size == 0 || offset >= sym.st_size)
        return {};
    Location loc = line_at(mod, address, nullptr);
    return {SourceFrame{display_function_name(name), loc.file, loc.line}};
}

} // namespace

// (dwarf_getscopes is not used: in elfutils 0.188 it fails with "no address
// value" on some -O0 inline chains, it continues into abstract definitions
// rather than callers, and it walks the whole CU for every address.)
std::vector<SourceFrame> InlineChains::at(Dwfl_Module *mod, Dwarf_Addr address)
{
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = dwfl_module_addrdie(mod, address, &bias);
    if (!cu)
        return from_symbol_table(mod, address);
    auto function = functions_.function_at(cu, address - bias);
    if (!function)
        return from_symbol_table(mod, address);
    std::vector<Dwarf_Die> path{*function}; // outermost first
    scopes_at(&*function, address - bias, path, 0);

    const char *comp_dir = comp_dir_of(cu);
    Dwarf_Files *files = nullptr;
    std::size_t nfiles = 0;
    if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0)
        files = nullptr;

    std::vector<SourceFrame> frames;
    Location here = line_at(mod, address, comp_dir);
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
        int tag = dwarf_tag(&*it);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
            continue; // lexical blocks
        frames.push_back(SourceFrame{names_.name_of(&*it), here.file, here.line});
        if (tag == DW_TAG_subprogram)
            break;
        here = call_site(&*it, files, nfiles, comp_dir);
    }
    return frames;
}

} // namespace refblame::analyzer
