// elf_file_test.cpp: what an ELF file says about itself (build-id, debug link, DWARF, symbol table, first load address) matches what the loader saw.
#include "symbolize/elf_file.hpp"

#include "debug_files.hpp"
#include "target_run.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;
using namespace refblame::analyzer;
using namespace refblame::symtest;

TEST(ElfIdentity, BuildIdIsTheOneTheRunningProgramCarriesInMemory)
{
    TargetRun run = run_target(SYMTEST_C_O2);
    const ModuleEvent *exe = module_named(run, "symtest_c_O2");
    ASSERT_NE(exe, nullptr);
    ElfIdentity id = read_elf_identity(exe->path);
    EXPECT_TRUE(id.exists && id.is_elf && id.is_dyn);
    EXPECT_EQ(build_id_hex(id.build_id), recorded_build_id(run, exe->path));
    EXPECT_EQ(build_id_hex(id.build_id).size(), 40u);
}

TEST(ElfIdentity, NonPieFirstLoadAddressIsWhereTheLoaderMappedIt)
{
    TargetRun run = run_target(SYMTEST_C_O2_NOPIE);
    const ModuleEvent *exe = module_named(run, "symtest_c_O2_nopie");
    ASSERT_NE(exe, nullptr);
    ElfIdentity id = read_elf_identity(exe->path);
    EXPECT_FALSE(id.is_dyn);
    EXPECT_EQ(id.first_load_vaddr, exe->baddr) << "a non-PIE executable runs at its link address";
    EXPECT_NE(id.first_load_vaddr, 0u);
}

TEST(ElfIdentity, StrippedCopyHasNeitherDwarfNorSymtabButKeepsBuildIdAndGainsDebugLink)
{
    TempDir dir;
    std::string app = make_stripped_copy(dir, SYMTEST_C_O2);
    ElfIdentity full = read_elf_identity(SYMTEST_C_O2);
    ElfIdentity stripped = read_elf_identity(app);
    ElfIdentity debug = read_elf_identity(dir / "app.debug");
    EXPECT_TRUE(full.has_dwarf && full.has_symtab);
    EXPECT_FALSE(stripped.has_dwarf || stripped.has_symtab);
    EXPECT_TRUE(debug.has_dwarf && debug.has_symtab);
    EXPECT_EQ(stripped.build_id, full.build_id);
    EXPECT_EQ(debug.build_id, full.build_id);
    EXPECT_EQ(stripped.debug_link, "app.debug");
    EXPECT_NE(stripped.debug_link_crc, 0u);
    EXPECT_TRUE(full.debug_link.empty());
}

TEST(ElfIdentity, MissingAndNonElfFilesAreTold)
{
    TempDir dir;
    EXPECT_FALSE(read_elf_identity(dir / "nothing").exists);
    std::ofstream(dir / "text") << "not an ELF file\n";
    ElfIdentity text = read_elf_identity(dir / "text");
    EXPECT_TRUE(text.exists);
    EXPECT_FALSE(text.is_elf);
}

TEST(ElfIdentity, BuildIdHexIsLowercaseTwoDigitsPerByte)
{
    EXPECT_EQ(build_id_hex({0x00, 0x0f, 0xab, 0xff}), "000fabff");
    EXPECT_EQ(build_id_hex({}), "");
}

} // namespace
