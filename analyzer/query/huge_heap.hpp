// huge_heap.hpp: readies the malloc heaps an analysis allocates from: the main one grown over huge pages, a thread's arena faulted in at once.
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
// asks the kernel (MADV_HUGEPAGE) to fault it in 2 MiB pages. The analysis's tables, states and batches
// then take a page fault per 2 MiB instead of per 4 KiB. Nothing outside glibc, or where the kernel offers
// no huge pages. The trim threshold it raises keeps freed memory in every arena.
HugeHeap grow_heap_on_huge_pages();

// Faults in `bytes` of the calling thread's malloc arena in one system call per 64 KiB (instead of one page
// fault per 4 KiB page), then frees them for the thread's allocations to reuse. Only once
// grow_heap_on_huge_pages() has raised the trim threshold (before it, glibc would hand what is freed back to
// the kernel at once): for the reader of a pairing analysis, not of stats. Meant for a thread of its own
// arena; the main one is grow_heap_on_huge_pages()'s. Returns the bytes faulted in (0: not after
// grow_heap_on_huge_pages(), nothing outside glibc, under AddressSanitizer, or where the kernel has no
// MADV_POPULATE_WRITE, Linux 5.14).
std::size_t fault_in_thread_heap(std::size_t bytes);

} // namespace refblame::analyzer::query
