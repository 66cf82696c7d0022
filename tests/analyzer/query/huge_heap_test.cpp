// huge_heap_test.cpp: the heap grows once, by 64 MiB, and the kernel marks the grown part for huge pages; a thread's arena faulted in at once.
#include "query/huge_heap.hpp"
#include "sanitizers.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <latch>
#include <string>
#include <thread>
#include <vector>

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

// Page faults of the calling thread while it allocates 2 MiB in 32 KiB blocks and writes every page of them.
long faults_allocating_2_mib()
{
    constexpr std::size_t block = 32 << 10, page = 4096;
    rusage before{}, after{};
    getrusage(RUSAGE_THREAD, &before);
    std::vector<void *> blocks;
    for (std::size_t i = 0; i < 2 * mib / block; ++i) {
        auto *p = static_cast<volatile char *>(std::malloc(block));
        for (std::size_t at = 0; at < block; at += page)
            p[at] = 1;
        blocks.push_back(const_cast<char *>(p));
    }
    getrusage(RUSAGE_THREAD, &after);
    for (void *p : blocks)
        std::free(p);
    return after.ru_minflt - before.ru_minflt;
}

// Whether this kernel has MADV_POPULATE_WRITE (Linux 5.14).
bool kernel_populates()
{
#ifdef MADV_POPULATE_WRITE
    const std::size_t size = 2 * 4096;
    void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return false;
    const bool ok = madvise(p, size, MADV_POPULATE_WRITE) == 0;
    munmap(p, size);
    return ok;
#else
    return false;
#endif
}

// In a child process: two threads, each with a malloc arena of its own (the first is still alive when the
// second allocates), one faulted in first. 0 when the faulted-in one took under a quarter of the other's page
// faults; 1: it did not; 2: the other took too few to compare (a page fault per 4 KiB page was expected);
// 3: a fault-in before grow_heap_on_huge_pages() did something (glibc would have handed it back at once).
int compare_faults()
{
    std::size_t early = 0;
    std::thread([&] { early = fault_in_thread_heap(4 * mib); }).join();
    if (early != 0)
        return 3;
    grow_heap_on_huge_pages(); // as an analysis does first: it keeps what the faulted-in thread frees
    long plain = 0, faulted_in = 0;
    std::size_t done = 0;
    std::latch measured(1), finished(1);
    std::thread first([&] {
        plain = faults_allocating_2_mib();
        measured.count_down();
        finished.wait(); // holds its arena: the second thread gets another
    });
    measured.wait();
    std::thread second([&] {
        done = fault_in_thread_heap(4 * mib);
        faulted_in = faults_allocating_2_mib();
    });
    second.join();
    finished.count_down();
    first.join();
    std::fprintf(stderr, "page faults: %ld plain, %ld after %zu bytes faulted in\n", plain, faulted_in, done);
    if (plain < 128)
        return 2;
    return done >= 2 * mib && faulted_in * 4 < plain ? 0 : 1;
}

TEST(HugeHeap, AThreadsArenaFaultedInAtOnceTakesFewPageFaultsAfter)
{
#ifdef REFBLAME_ASAN
    GTEST_SKIP() << "AddressSanitizer's allocator has no glibc arenas";
#endif
    if (!kernel_populates())
        GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux 5.14)";
    if (thp_mode() == "always")
        GTEST_SKIP() << "transparent huge pages always on: a thread's arena may take few page faults anyway";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(std::exit(compare_faults()), ::testing::ExitedWithCode(0), "page faults: ");
}

} // namespace
} // namespace refblame::analyzer::query
