// module_map_test.cpp: per-process module maps from statedump and lib load/unload events, and which mapping holds an address.
#include "symbolize/module_map.hpp"

#include <gtest/gtest.h>

namespace {

using refblame::analyzer::ModuleEvent;
using refblame::analyzer::ModuleMap;

ModuleEvent event(ModuleEvent::Kind kind, std::int32_t pid, std::uint64_t baddr, std::uint64_t memsz = 0,
                  const std::string &path = "", std::uint64_t time = 0)
{
    ModuleEvent m;
    m.kind = kind;
    m.pid = pid;
    m.baddr = baddr;
    m.memsz = memsz;
    m.path = path;
    m.time_ns = time;
    return m;
}

TEST(ModuleMap, AddressMapsToTheModuleWhoseRangeHoldsItInThatProcessOnly)
{
    ModuleMap map;
    map.on_module(event(ModuleEvent::Kind::bin_info, 10, 0x5000, 0x1000, "/bin/app"));
    map.on_module(event(ModuleEvent::Kind::bin_info, 10, 0x7000, 0x2000, "/lib/libc.so.6"));
    ASSERT_NE(map.find(10, 0x5000), nullptr);
    EXPECT_EQ(map.find(10, 0x5fff)->path, "/bin/app");
    EXPECT_EQ(map.find(10, 0x8fff)->path, "/lib/libc.so.6");
    EXPECT_EQ(map.find(10, 0x6000), nullptr);
    EXPECT_EQ(map.find(10, 0x9000), nullptr);
    EXPECT_EQ(map.find(11, 0x5000), nullptr);
    EXPECT_TRUE(map.knows(10));
    EXPECT_FALSE(map.knows(11));
}

TEST(ModuleMap, BuildIdAndDebugLinkAttachToTheModuleAtTheirBaseAddress)
{
    ModuleMap map;
    map.on_module(event(ModuleEvent::Kind::bin_info, 1, 0x400000, 0x3000, "/bin/static", 5));
    auto bid = event(ModuleEvent::Kind::build_id, 1, 0x400000);
    bid.build_id = {0xab, 0xcd};
    map.on_module(bid);
    auto link = event(ModuleEvent::Kind::debug_link, 1, 0x400000);
    link.debug_link = "static.debug";
    map.on_module(link);
    const auto *m = map.find(1, 0x401000);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->build_id, (std::vector<std::uint8_t>{0xab, 0xcd}));
    EXPECT_EQ(m->debug_link, "static.debug");
    EXPECT_EQ(m->loaded_ns, 0u) << "a statedump mapping was there before the process's first event";
}

TEST(ModuleMap, RepeatedStatedumpDoesNotDuplicateAMapping)
{
    ModuleMap map;
    map.on_module(event(ModuleEvent::Kind::bin_info, 1, 0x5000, 0x1000, "/bin/app"));
    auto first = map.find(1, 0x5000)->id;
    map.on_module(event(ModuleEvent::Kind::bin_info, 1, 0x5000, 0x1000, "/bin/app", 99));
    EXPECT_EQ(map.find(1, 0x5000)->id, first);
}

TEST(ModuleMap, RangeReusedAfterUnloadGoesToTheLibraryMappedAtThatTime)
{
    ModuleMap map;
    map.on_module(event(ModuleEvent::Kind::load, 1, 0x7000, 0x1000, "/lib/a.so", 100));
    map.on_module(event(ModuleEvent::Kind::unload, 1, 0x7000, 0, "", 200));
    map.on_module(event(ModuleEvent::Kind::load, 1, 0x7000, 0x1000, "/lib/b.so", 300));
    EXPECT_EQ(map.find_at(1, 0x7100, 150)->path, "/lib/a.so");
    EXPECT_EQ(map.find_at(1, 0x7100, 350)->path, "/lib/b.so");
    EXPECT_EQ(map.find(1, 0x7100)->path, "/lib/b.so");
    // Before any load, the closest answer is still a module rather than none.
    EXPECT_NE(map.find_at(1, 0x7100, 50), nullptr);
}

TEST(ModuleMap, UnloadedLibraryStillSymbolizesAddressesRecordedWhileLoaded)
{
    ModuleMap map;
    map.on_module(event(ModuleEvent::Kind::load, 1, 0x7000, 0x1000, "/lib/plugin.so", 100));
    map.on_module(event(ModuleEvent::Kind::unload, 1, 0x7000, 0, "", 200));
    ASSERT_NE(map.find(1, 0x7010), nullptr);
    EXPECT_EQ(map.find(1, 0x7010)->path, "/lib/plugin.so");
}

TEST(ModuleMap, MappingReplacedWithoutUnloadEndsWhereTheNewOneStarts)
{
    ModuleMap map;
    map.on_module(event(ModuleEvent::Kind::load, 1, 0x7000, 0x1000, "/lib/a.so", 100));
    map.on_module(event(ModuleEvent::Kind::load, 1, 0x7000, 0x1000, "/lib/b.so", 300)); // unload event lost
    EXPECT_EQ(map.find_at(1, 0x7100, 200)->path, "/lib/a.so");
    EXPECT_EQ(map.find_at(1, 0x7100, 400)->path, "/lib/b.so");
}

} // namespace
