// workloads.cpp: the programs bench_record_ops records: N known refblame (or anchor) events of one kind, or a realistic mix.
#include "workloads.hpp"

#include <refblame/ref.h>

#include "anchor_tp.h"

#include <array>
#include <vector>

namespace refblame::bench {

EventCounts run_ref_mod(std::uint64_t events)
{
    refblame_ref_t r = REFBLAME_REF_INIT(1);
    for (std::uint64_t i = 0; i < events; i++) {
        if (i % 2 == 0)
            refblame_ref_inc(&r);
        else
            refblame_ref_dec(&r);
    }
    return {{"refblame:ref_mod", events}};
}

EventCounts run_freeze(std::uint64_t events)
{
    refblame_ref_t r = REFBLAME_REF_INIT(2);
    for (std::uint64_t i = 0; i < events; i++)
        refblame_ref_freeze(&r, 1);
    return {{"refblame:ref_freeze", events}};
}

EventCounts run_anchor(std::uint64_t events)
{
    refblame_ref_t r = REFBLAME_REF_INIT(1);
    for (std::uint64_t i = 0; i < events; i++) {
        int delta = i % 2 == 0 ? 1 : -1;
        int c = __atomic_add_fetch(&r.counter, delta, __ATOMIC_RELAXED);
        lttng_ust_tracepoint(refblame_bench_anchor, ref_mod, &r, delta, c, __builtin_return_address(0), 0u);
    }
    return {{"refblame_bench_anchor:ref_mod", events}};
}

namespace {

constexpr std::size_t kObjects = 4096;
constexpr int kMaxHolds = 3;

struct Page {
    refblame_ref_t _refcount;
    int holds = 0;          // long-lived anonymous references taken by pin_page()
    const void *tracked = nullptr; // holder of a tracked reference, if any
};

// Distinct call sites, so the analyzer has sites to name and rank.
__attribute__((noinline)) void lookup_get(Page &p) { refblame_ref_inc(&p._refcount); }
__attribute__((noinline)) void lookup_put(Page &p) { refblame_ref_dec(&p._refcount); }
__attribute__((noinline)) void pin_page(Page &p) { refblame_ref_inc(&p._refcount); p.holds++; }
__attribute__((noinline)) void unpin_page(Page &p) { refblame_ref_dec(&p._refcount); p.holds--; }
__attribute__((noinline)) void map_get(Page &p, const void *vma) { refblame_ref_get(&p._refcount, vma); p.tracked = vma; }
__attribute__((noinline)) void unmap_put(Page &p) { refblame_ref_put(&p._refcount, p.tracked); p.tracked = nullptr; }
__attribute__((noinline)) bool migrate(Page &p)
{
    if (!refblame_ref_freeze(&p._refcount, 1))
        return false;
    refblame_ref_unfreeze(&p._refcount, 1);
    return true;
}
__attribute__((noinline)) void recycle(Page &p)
{
    refblame_obj_free(&p._refcount);
    refblame_obj_init(&p._refcount, "page", 1);
}

// xorshift64*: deterministic, cheap. (Plain xorshift64's low bits are so tied to the previous
// output's that the page picked decided the op: the pages that were frozen were never pinned,
// and no freeze ever failed.)
struct Rng {
    std::uint64_t s = 0x9e3779b97f4a7c15ull;
    std::uint64_t next()
    {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545f4914f6cdd1dull;
    }
};

} // namespace

EventCounts run_mixed(std::uint64_t events)
{
    std::vector<Page> pages(kObjects);
    std::array<char, 64> vmas{}; // addresses used as tracked holders
    EventCounts n;
    for (auto &p : pages) {
        refblame_obj_init(&p._refcount, "page", 1);
        n["refblame:obj_init"]++;
    }
    Rng rng;
    std::uint64_t fired = kObjects;
    while (fired < events) {
        Page &p = pages[rng.next() % kObjects];
        // Out of 256: 1 freeze attempt, 2 recycles, 16 pins, 24 unpins, 16 map/unmap, the rest lookups.
        unsigned pick = rng.next() % 256;
        if (pick == 0) {
            if (migrate(p)) {
                n["refblame:ref_unfreeze"]++;
                fired++;
            }
            n["refblame:ref_freeze"]++;
            fired++;
        } else if (pick < 3) {
            if (p.holds == 0 && !p.tracked) {
                recycle(p);
                n["refblame:obj_free"]++;
                n["refblame:obj_init"]++;
                fired += 2;
            }
        } else if (pick < 19) {
            if (p.holds < kMaxHolds) {
                pin_page(p);
                n["refblame:ref_mod"]++;
                fired++;
            }
        } else if (pick < 43) {
            if (p.holds > 0) {
                unpin_page(p);
                n["refblame:ref_mod"]++;
                fired++;
            }
        } else if (pick < 59) {
            if (!p.tracked) {
                map_get(p, &vmas[rng.next() % vmas.size()]);
                n["refblame:ref_mod"]++;
            } else {
                unmap_put(p);
                n["refblame:ref_mod_and_test"]++;
            }
            fired++;
        } else {
            lookup_get(p);
            lookup_put(p);
            n["refblame:ref_mod"] += 2;
            fired += 2;
        }
    }
    return n;
}

} // namespace refblame::bench
