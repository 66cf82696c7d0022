// huge_heap_test.cpp: the heap grows once, by 64 MiB, and the kernel marks the grown part for huge pages.
#include "query/huge_heap.hpp"
#include "sanitizers.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace refblame::analyzer::query {
namespace {

constexpr std::size_t mib = std::size_t{1} << 20;

// The kernel's transparent huge page mode: "always", "madvise" or "never" ("" when it has none).
std::string thp_mode()
{
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string line;
    std::getline(in, line);
    const std::size_t open = line.find('['), close = line.find(']');
    return open == std::string::npos || close < open ? "" : line.substr(open + 1, close - open - 1);
}

// Whether the mapping holding `addr` carries the huge-page advice ("hg" among its VmFlags).
bool advised_huge(std::uintptr_t addr)
{
    std::ifstream smaps("/proc/self/smaps");
    bool inside = false;
    for (std::string line; std::getline(smaps, line);) {
        unsigned long from = 0, to = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx ", &from, &to) == 2 && line.find(':') > line.find(' ')) {
            inside = addr >= from && addr < to;
            continue;
        }
        if (inside && line.starts_with("VmFlags:"))
            return (line + " ").find(" hg ") != std::string::npos;
    }
    return false;
}

// In a child process (a death test's), whose heap nothing grew yet: what went wrong, as bits.
int grow_and_report()
{
    const HugeHeap first = grow_heap_on_huge_pages();
    const HugeHeap again = grow_heap_on_huge_pages();
    const std::uintptr_t end = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(2 * mib - 1);
    return (first.grown >= 64 * mib ? 0 : 1) | (first.advised > 0 && first.advised <= first.grown ? 0 : 2) |
           (again.grown == 0 && again.advised == 0 ? 0 : 4) | (advised_huge(end - 1) ? 0 : 8);
}

TEST(HugeHeap, GrowsTheHeapOnceAndMarksItForHugePages)
{
#ifdef REFBLAME_ASAN
    GTEST_SKIP() << "AddressSanitizer's allocator has no sbrk heap to grow";
#endif
    const std::string mode = thp_mode();
    if (mode != "always" && mode != "madvise")
        GTEST_SKIP() << "this kernel offers no transparent huge pages (mode '" << mode << "')";
    // A child started afresh: one forked from this process would inherit a heap that an analysis run by an
    // earlier test of this program already grew.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(std::exit(grow_and_report()), ::testing::ExitedWithCode(0), "");
}

} // namespace
} // namespace refblame::analyzer::query
