// huge_heap.hpp: grows the malloc heap in one step, over transparent huge pages, before an analysis allocates.
#pragma once

#include <cstddef>

namespace refblame::analyzer::query {

// What grow_heap_on_huge_pages() did.
struct HugeHeap {
    std::size_t grown = 0;   // bytes the heap grew by
    std::size_t advised = 0; // of those, bytes the kernel was asked to back with 2 MiB pages (0: refused, or none)
};

// Once per process (later calls do nothing and return zeros), while one thread allocates: grows glibc's
// main heap by 64 MiB of address space once (no memory is touched; growth past it is glibc's usual) and
// asks the kernel (MADV_HUGEPAGE) to fault it in 2 MiB pages. The analysis's tables, states and batches then take a page fault per 2 MiB
// instead of per 4 KiB. Nothing outside glibc, or where the kernel offers no huge pages.
HugeHeap grow_heap_on_huge_pages();

} // namespace refblame::analyzer::query
