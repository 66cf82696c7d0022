// huge_heap.cpp: glibc's heap grown by one sbrk step (M_TOP_PAD) and madvise'd for transparent huge pages; a thread's arena faulted in.
#include "query/huge_heap.hpp"

#include "sanitizers.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace refblame::analyzer::query {

namespace {
// Whether grow_heap_on_huge_pages() raised the trim threshold: what fault_in_thread_heap() frees then stays
// faulted in (below it, glibc would hand it back to the kernel at once).
std::atomic<bool> freed_memory_kept{false};
} // namespace

// A page fault costs this VM 10-14 us (6 MiB touched page by page: 15-21 ms; with MAP_POPULATE 1.2 ms; on
// madvise'd huge pages 0.4 ms), and `blockers` took 5900 of them on 1 M events, against the dummy sink's
// 1100. With the heap on huge pages: 1600, CPU time 0.93x, wall 0.97x (pairs, n=41), peak RSS +2-3 MiB
// (memory is taken 2 MiB at a time). glibc does as much with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which
// only works from the environment the process starts with.
HugeHeap grow_heap_on_huge_pages()
{
    HugeHeap h;
#ifdef __GLIBC__
    static std::atomic<bool> done{false};
    if (done.exchange(true))
        return h;
    constexpr std::size_t step = std::size_t{64} << 20, huge = std::size_t{2} << 20;
    mallopt(M_TOP_PAD, static_cast<int>(step));            // the heap grows by `step` past the request below...
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(4 * step)); // ...and keeps it when the first pass is freed
    freed_memory_kept = true;
    const auto top = [] { return reinterpret_cast<std::uintptr_t>(sbrk(0)); };
    const std::uintptr_t before = top();
    // Blocks under the mmap threshold (128 KiB) come from the heap: the first one the top of the heap
    // cannot hold makes malloc grow it now, by the block and `step`.
    std::array<void *, 8> blocks{};
    for (void *&b : blocks) {
        if (top() != before)
            break;
        b = std::malloc(std::size_t{120} << 10);
    }
    for (void *b : blocks)
        std::free(b);
    // Later growth as before (128 KiB past each request): a system near its commit limit (overcommit
    // off) would otherwise fail allocations for want of 64 MiB the analysis does not need.
    mallopt(M_TOP_PAD, 128 << 10);
    const std::uintptr_t after = top();
    if (before == static_cast<std::uintptr_t>(-1) || after <= before)
        return h;
    h.grown = after - before;
    const std::uintptr_t from = (before + huge - 1) & ~(huge - 1), to = after & ~(huge - 1);
    if (to > from && madvise(reinterpret_cast<void *>(from), to - from, MADV_HUGEPAGE) == 0)
        h.advised = to - from;
#endif
    return h;
}

std::size_t fault_in_thread_heap(std::size_t bytes)
{
    std::size_t done = 0;
#if defined(__GLIBC__) && defined(MADV_POPULATE_WRITE) && !defined(REFBLAME_ASAN)
    if (!freed_memory_kept)
        return 0;
    constexpr std::size_t block = std::size_t{64} << 10; // under the mmap threshold: from the arena's heap
    const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    std::vector<void *> blocks;
    blocks.reserve(bytes / block);
    for (std::size_t i = 0; i < bytes / block; ++i) {
        void *b = std::malloc(block);
        if (!b)
            break;
        blocks.push_back(b);
        const auto at = reinterpret_cast<std::uintptr_t>(b);
        const std::uintptr_t from = (at + page - 1) & ~(page - 1), to = (at + block) & ~(page - 1);
        if (madvise(reinterpret_cast<void *>(from), to - from, MADV_POPULATE_WRITE) != 0)
            break; // not in this kernel: the rest would fail alike
        done += to - from;
    }
    for (void *b : blocks)
        std::free(b);
#else
    (void)bytes;
#endif
    return done;
}

} // namespace refblame::analyzer::query
