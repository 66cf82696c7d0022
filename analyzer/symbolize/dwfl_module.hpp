// dwfl_module.hpp: RAII over a libdwfl session holding one module (an ELF file, and its separate debug file when it has one).
#pragma once

#include "symbolize/debug_lookup.hpp"

#include <elfutils/libdwfl.h>

#include <memory>
#include <string>

namespace refblame::analyzer {

// The module is placed at its link-time addresses (bias 0), so the addresses
// libdwfl takes are ELF virtual addresses: recorded offset + first_load_vaddr.
class DwflModule {
public:
    // nullptr when libdwfl cannot use files.elf (the reason is in `error`).
    static std::unique_ptr<DwflModule> open(const DebugFiles &files, std::string *error = nullptr);
    ~DwflModule();
    DwflModule(const DwflModule &) = delete;
    DwflModule &operator=(const DwflModule &) = delete;

    Dwfl_Module *module() const { return mod_; }

private:
    DwflModule() = default;
    // libdwfl's find_debuginfo callback: hands over the debug file we located
    // (and a .gnu_debugaltlink file next to it); never searches by itself.
    static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
                              const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
                              char **debuginfo_file_name) noexcept;

    Dwfl *dwfl_ = nullptr;
    Dwfl_Module *mod_ = nullptr;
    std::string debug_;
    bool debug_given_ = false;
};

} // namespace refblame::analyzer
