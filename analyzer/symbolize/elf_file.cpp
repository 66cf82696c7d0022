// elf_file.cpp: opening ELF files with libelf and reading build-id, debug link, load address and which sections they carry.
#include "symbolize/elf_file.hpp"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <cstring>
#include <utility>

namespace refblame::analyzer {

std::optional<ElfFile> ElfFile::open(const std::string &path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    if (elf && elf_kind(elf) != ELF_K_ELF) {
        elf_end(elf);
        elf = nullptr;
    }
    return ElfFile(fd, elf);
}

ElfFile::ElfFile(ElfFile &&o) noexcept : fd_(std::exchange(o.fd_, -1)), elf_(std::exchange(o.elf_, nullptr)) {}

ElfFile &ElfFile::operator=(ElfFile &&o) noexcept
{
    ElfFile taken(std::move(o));
    std::swap(fd_, taken.fd_);
    std::swap(elf_, taken.elf_);
    return *this;
}

ElfFile::~ElfFile()
{
    if (elf_)
        elf_end(elf_);
    if (fd_ >= 0)
        ::close(fd_);
}

namespace {

bool section_has_contents(Elf *elf, const char *wanted)
{
    std::size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return false;
    for (Elf_Scn *scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr shdr;
        if (!gelf_getshdr(scn, &shdr))
            continue;
        const char *name = elf_strptr(elf, shstrndx, shdr.sh_name);
        if (name && std::strcmp(name, wanted) == 0)
            return shdr.sh_type != SHT_NOBITS && shdr.sh_size > 0;
    }
    return false;
}

} // namespace

ElfIdentity read_elf_identity(const std::string &path)
{
    ElfIdentity id;
    auto file = ElfFile::open(path);
    if (!file)
        return id;
    id.exists = true;
    Elf *elf = file->elf();
    GElf_Ehdr ehdr;
    if (!elf || !gelf_getehdr(elf, &ehdr))
        return id;
    id.is_elf = true;
    id.is_dyn = ehdr.e_type == ET_DYN;

    const void *bid = nullptr;
    ssize_t n = dwelf_elf_gnu_build_id(elf, &bid);
    if (n > 0) {
        const auto *p = static_cast<const std::uint8_t *>(bid);
        id.build_id.assign(p, p + n);
    }
    GElf_Word crc = 0;
    if (const char *link = dwelf_elf_gnu_debuglink(elf, &crc)) {
        id.debug_link = link;
        id.debug_link_crc = crc;
    }
    id.has_dwarf = section_has_contents(elf, ".debug_info") || section_has_contents(elf, ".zdebug_info");
    id.has_symtab = section_has_contents(elf, ".symtab");

    std::size_t phnum = 0;
    if (elf_getphdrnum(elf, &phnum) == 0) {
        for (std::size_t i = 0; i < phnum; ++i) {
            GElf_Phdr ph;
            if (gelf_getphdr(elf, static_cast<int>(i), &ph) && ph.p_type == PT_LOAD) {
                id.first_load_vaddr = ph.p_vaddr;
                break;
            }
        }
    }
    return id;
}

std::string build_id_hex(const std::vector<std::uint8_t> &id)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(id.size() * 2);
    for (auto b : id) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

} // namespace refblame::analyzer
