// dwfl_module.cpp: opening one module with dwfl_report_elf at its link address, and the find_debuginfo callback that serves the located debug file.
#include "symbolize/dwfl_module.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace refblame::analyzer {

namespace {

int find_no_elf(Dwfl_Module *, void **, const char *, Dwarf_Addr, char **, Elf **) noexcept
{
    return -1; // the ELF is always given to dwfl_report_elf
}

int open_reporting(const std::string &path, char **name_out) noexcept
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && name_out)
        *name_out = strdup(path.c_str());
    return fd;
}

} // namespace

int DwflModule::find_debuginfo(Dwfl_Module *, void **userdata, const char *, Dwarf_Addr, const char *,
                               const char *debuglink_file, GElf_Word, char **debuginfo_file_name) noexcept
{
    auto *self = userdata ? static_cast<DwflModule *>(*userdata) : nullptr;
    if (!self)
        return -1;
    if (!self->debug_given_) {
        // First call: the module's own DWARF is missing; give the located file.
        if (self->debug_.empty())
            return -1;
        self->debug_given_ = true;
        return open_reporting(self->debug_, debuginfo_file_name);
    }
    // Later calls look for the dwz file named by .gnu_debugaltlink: absolute,
    // or relative to the debug file's directory.
    if (!debuglink_file || !*debuglink_file)
        return -1;
    try {
        std::filesystem::path alt(debuglink_file);
        if (alt.is_relative())
            alt = std::filesystem::path(self->debug_).parent_path() / alt;
        return open_reporting(alt.string(), debuginfo_file_name);
    } catch (...) {
        return -1;
    }
}

std::unique_ptr<DwflModule> DwflModule::open(const DebugFiles &files, std::string *error)
{
    static const Dwfl_Callbacks callbacks = {
        find_no_elf,
        find_debuginfo,
        dwfl_offline_section_address,
        nullptr,
    };
    std::unique_ptr<DwflModule> self(new DwflModule);
    self->dwfl_ = dwfl_begin(&callbacks);
    if (!self->dwfl_) {
        if (error)
            *error = dwfl_errmsg(-1);
        return nullptr;
    }
    self->debug_ = files.debug;
    dwfl_report_begin(self->dwfl_);
    // ET_DYN: base 0 relative to p_vaddr, i.e. bias 0; ET_EXEC: its own addresses.
    self->mod_ = dwfl_report_elf(self->dwfl_, files.elf.c_str(), files.elf.c_str(), -1, 0, true);
    if (!self->mod_) {
        if (error)
            *error = dwfl_errmsg(-1);
        return nullptr;
    }
    dwfl_report_end(self->dwfl_, nullptr, nullptr);
    void **userdata = nullptr;
    dwfl_module_info(self->mod_, &userdata, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
    if (userdata)
        *userdata = self.get();
    return self;
}

DwflModule::~DwflModule()
{
    if (dwfl_)
        dwfl_end(dwfl_);
}

} // namespace refblame::analyzer
