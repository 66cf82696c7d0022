// missing_symbols.cpp: the wording of symbol warnings: what is missing, how many sites it affects, and how to fix it.
#include "symbolize/missing_symbols.hpp"

#include "symbolize/elf_file.hpp"

#include <filesystem>

namespace refblame::analyzer {

void MissingSymbols::module_site(const std::string &path, const DebugFiles &files, const std::string &open_error,
                                 bool uncovered)
{
    auto &m = modules_[path + '\0' + build_id_hex(files.build_id)];
    m.files = files;
    m.open_error = open_error;
    ++m.sites;
    if (uncovered)
        ++m.uncovered;
}

void MissingSymbols::unmapped_site(std::int32_t pid, bool has_modules)
{
    auto &p = processes_[pid];
    p.has_modules = has_modules;
    ++p.addresses;
}

namespace {

std::string sites(std::uint64_t n, const char *what = "site")
{
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

// "--debug-dir DIR where ..." : where a debug file for this module would be found.
std::string debug_dir_hint(const DebugFiles &files)
{
    if (files.build_id.size() >= 2) {
        std::string hex = build_id_hex(files.build_id);
        return "--debug-dir DIR where DIR/.build-id/" + hex.substr(0, 2) + "/" + hex.substr(2) +
               ".debug is its debug file";
    }
    return "--debug-dir DIR holding its debug file (named by its .gnu_debuglink)";
}

std::string fix(const std::string &path, const DebugFiles &files)
{
    if (path.rfind("/usr/", 0) == 0 || path.rfind("/lib", 0) == 0)
        return "Install the -dbgsym package of the package that owns it (dpkg -S " + path + "), or pass " +
               debug_dir_hint(files) + ".";
    return "Keep its debug info (build with -g; objcopy --only-keep-debug makes a separate file) and pass " +
           debug_dir_hint(files) + ".";
}

std::string module_warning(const std::string &path, const DebugFiles &f, const std::string &open_error,
                           std::uint64_t n, std::uint64_t uncovered)
{
    std::string shown = sites(n) + " shown as module+offset.";
    switch (f.problem) {
    case DebugProblem::missing:
        return path + ": not found (deleted or moved since recording); " + shown + " Restore it, or pass " +
               debug_dir_hint(f) + ".";
    case DebugProblem::build_id_mismatch:
        return path + ": changed since recording (build-id " +
               (f.on_disk_build_id.empty() ? std::string("none") : build_id_hex(f.on_disk_build_id)) +
               " on disk, " + build_id_hex(f.build_id) + " recorded), not used; " + shown +
               " Restore the recorded build, or pass " + debug_dir_hint(f) + ".";
    case DebugProblem::not_elf:
        return path + ": not a readable ELF file; " + shown;
    case DebugProblem::no_symbols:
        return path + ": stripped, and no debug info found; " + shown + " " + fix(path, f);
    case DebugProblem::no_debug_info:
        return path + ": no debug info found (symbol table only): " + sites(n) +
               " without file:line, named by the enclosing function. " + fix(path, f);
    case DebugProblem::none:
    case DebugProblem::no_file:
        break;
    }
    if (!open_error.empty())
        return path + ": could not read its symbols (" + open_error + "); " + shown;
    return path + ": " + sites(uncovered, "address") + " outside its debug info and symbol table; shown as module+offset.";
}

} // namespace

std::vector<std::string> MissingSymbols::warnings() const
{
    std::vector<std::string> out;
    for (const auto &[key, m] : modules_)
        out.push_back(module_warning(key.substr(0, key.find('\0')), m.files, m.open_error, m.sites, m.uncovered));
    for (const auto &[pid, p] : processes_) {
        std::string n = sites(p.addresses, "address");
        if (p.has_modules)
            out.push_back("process " + std::to_string(pid) + ": " + n +
                          " in no recorded module, shown raw: a library dlopen'd after start-up (record with "
                          "`refblame record --track-dlopen`), or a lost lttng_ust_lib:load event.");
        else
            out.push_back("process " + std::to_string(pid) + ": no module map in the trace (no lttng_ust_statedump:* or "
                          "lttng_ust_lib:* events); " + n + " shown raw. Record with `refblame record`, which enables them.");
    }
    return out;
}

} // namespace refblame::analyzer
