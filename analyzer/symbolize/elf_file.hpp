// elf_file.hpp: RAII over an ELF file opened with libelf, and the identity facts the symbolizer needs from it.
#pragma once

#include <libelf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace refblame::analyzer {

// An open file descriptor and its libelf handle; closed together.
class ElfFile {
public:
    // std::nullopt when the file cannot be opened; an invalid ElfFile (elf() ==
    // nullptr) when it exists but is not ELF.
    static std::optional<ElfFile> open(const std::string &path);
    ElfFile(ElfFile &&o) noexcept;
    ElfFile &operator=(ElfFile &&o) noexcept;
    ElfFile(const ElfFile &) = delete;
    ElfFile &operator=(const ElfFile &) = delete;
    ~ElfFile();

    Elf *elf() const { return elf_; }

private:
    ElfFile(int fd, Elf *elf) : fd_(fd), elf_(elf) {}
    int fd_ = -1;
    Elf *elf_ = nullptr;
};

// What one ELF file says about itself.
struct ElfIdentity {
    bool exists = false;    // the path could be opened
    bool is_elf = false;    // and is a readable ELF file
    bool is_dyn = false;    // ET_DYN (PIE executable or shared library)
    std::vector<std::uint8_t> build_id;
    std::string debug_link; // .gnu_debuglink file name, "" when none
    std::uint32_t debug_link_crc = 0;
    bool has_dwarf = false;  // .debug_info with contents (not NOBITS)
    bool has_symtab = false; // .symtab with contents
    std::uint64_t first_load_vaddr = 0; // p_vaddr of the first PT_LOAD (what lttng-ust's baddr points at)
};

ElfIdentity read_elf_identity(const std::string &path);

// Lowercase hex of a build-id, as in /usr/lib/debug/.build-id paths.
std::string build_id_hex(const std::vector<std::uint8_t> &id);

} // namespace refblame::analyzer
