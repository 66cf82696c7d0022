// debug_lookup.cpp: the search order for a module's symbols and the build-id checks that keep a changed binary from being used.
#include "symbolize/debug_lookup.hpp"

#include "symbolize/elf_file.hpp"

#include <filesystem>

namespace refblame::analyzer {

namespace fs = std::filesystem;

std::vector<std::string> debug_file_candidates(const std::string &path, const std::vector<std::uint8_t> &build_id,
                                               const std::string &debug_link, const DebugSearch &search)
{
    std::vector<std::string> roots = search.debug_dirs;
    roots.insert(roots.end(), search.system_dirs.begin(), search.system_dirs.end());
    std::vector<std::string> out;
    if (build_id.size() >= 2) {
        std::string hex = build_id_hex(build_id);
        for (const auto &root : roots)
            out.push_back((fs::path(root) / ".build-id" / hex.substr(0, 2) / (hex.substr(2) + ".debug")).string());
    }
    if (!debug_link.empty() && debug_link.find('/') == std::string::npos) {
        fs::path dir = fs::path(path).parent_path();
        out.push_back((dir / debug_link).string());
        out.push_back((dir / ".debug" / debug_link).string());
        for (const auto &root : roots)
            out.push_back((fs::path(root) / dir.relative_path() / debug_link).string());
        for (const auto &root : search.debug_dirs)
            out.push_back((fs::path(root) / debug_link).string());
    }
    return out;
}

DebugFiles locate_debug_files(const ModuleIdentity &module, const DebugSearch &search)
{
    DebugFiles out;
    if (module.path.empty() || module.path.front() != '/') {
        out.problem = DebugProblem::no_file; // "[vdso]", "[linux-vdso.so.1]", anonymous
        return out;
    }
    ElfIdentity bin = read_elf_identity(module.path);
    out.on_disk_build_id = bin.build_id;
    out.build_id = module.build_id.empty() ? bin.build_id : module.build_id;
    // A recorded build-id must match the file now on disk, else the file is another build.
    bool bin_usable = bin.is_elf && (module.build_id.empty() || bin.build_id == module.build_id);
    if (bin_usable && bin.has_dwarf) {
        out.elf = module.path;
        out.first_load_vaddr = bin.first_load_vaddr;
        return out;
    }

    std::string link = !module.debug_link.empty() ? module.debug_link : (bin_usable ? bin.debug_link : "");
    std::string found;
    ElfIdentity found_id;
    for (const auto &candidate : debug_file_candidates(module.path, out.build_id, link, search)) {
        if (bin_usable && candidate == module.path)
            continue;
        ElfIdentity id = read_elf_identity(candidate);
        if (!id.is_elf || !id.has_dwarf)
            continue;
        if (!out.build_id.empty() && id.build_id != out.build_id)
            continue; // debug info of another build
        found = candidate;
        found_id = std::move(id);
        break;
    }

    if (bin_usable) {
        out.elf = module.path;
        out.debug = found;
        out.first_load_vaddr = bin.first_load_vaddr;
        if (found.empty())
            out.problem = bin.has_symtab ? DebugProblem::no_debug_info : DebugProblem::no_symbols;
        return out;
    }
    if (!found.empty()) {
        // The binary is gone or changed, but the recorded build's debug file
        // has the same layout and symbols: use it as the module itself.
        out.elf = found;
        out.first_load_vaddr = found_id.first_load_vaddr;
        return out;
    }
    out.problem = !bin.exists ? DebugProblem::missing
                  : !bin.is_elf ? DebugProblem::not_elf
                                : DebugProblem::build_id_mismatch;
    return out;
}

} // namespace refblame::analyzer
