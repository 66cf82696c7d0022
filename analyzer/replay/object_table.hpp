// object_table.hpp: live objects by (pid, address): open addressing over keys and owning pointers, so finding an object is a multiply and a probe or two.
#pragma once

#include "replay/object_state.hpp"
#include "sanitizers.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

// Under AddressSanitizer the tables poison the room of an erased value, as if it were freed memory.
#ifdef REFBLAME_ASAN
#include <sanitizer/asan_interface.h>
#define REFBLAME_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define REFBLAME_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define REFBLAME_POISON(p, n) static_cast<void>(0)
#define REFBLAME_UNPOISON(p, n) static_cast<void>(0)
#endif

namespace refblame::analyzer::replay {

constexpr std::size_t cache_line = 64;

// How many cache lines [p, p + bytes) touches: a 184-byte state 16 bytes into a line touches four.
inline std::size_t lines_touched(const void *p, std::size_t bytes)
{
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    return bytes == 0 ? 0 : (a + bytes - 1) / cache_line - a / cache_line + 1;
}

// Starts loading the cache line holding p (a hint: nothing is read, any address will do). Inline asm on
// x86-64, which the compiler must keep: g++ 12 -O2 deleted __builtin_prefetch together with the code
// computing its address (a table probe, a loop over lines, a lambda's stage) since a prefetch has no effect
// it must keep; every test passed and only the time showed it (prefetch_code_check.sh now checks).
inline void prefetch_line(const void *p)
{
#if defined(__x86_64__)
    asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char *>(p)));
#else
    __builtin_prefetch(p);
#endif
}

// Starts loading every cache line [p, p + bytes) touches.
inline void prefetch_bytes(const void *p, std::size_t bytes)
{
    const auto *line = reinterpret_cast<const char *>(reinterpret_cast<std::uintptr_t>(p) & ~(cache_line - 1));
    for (std::size_t i = 0, n = lines_touched(p, bytes); i < n; ++i)
        prefetch_line(line + i * cache_line);
}

// Linear probing in a power-of-two table at most half full; a value never moves while it is in the table
// (references to it stay valid until it is erased). std::unordered_map did the same job with a division
// by a prime and two dependent pointer loads per lookup: 17-20 % of an attribution replay. Erasing shifts
// the rest of the run back, so probes never need tombstones.
//
// The values live in chunks of `chunk_values`, an erased value's room taken by the next insert. With one
// allocation per value (memalign for a cache-line-aligned ObjectState, and thousands of frees at the end
// of each replay) malloc and free had a fifth of the CPU of `blockers` on a 10 k-event trace of 4096
// objects, much of it here (perf); pooled: that run 0.91x the wall time, 1 M events 0.98x (paired runs).
// Rooms not holding a value are poisoned under AddressSanitizer: a pointer kept past erase() still fails.
template <class T>
class KeyedTable {
public:
    KeyedTable() = default;
    KeyedTable(const KeyedTable &) = delete;
    KeyedTable &operator=(const KeyedTable &) = delete;
    ~KeyedTable() { clear(); }

    T *find(std::int32_t pid, std::uint64_t obj) const
    {
        if (slots_.empty())
            return nullptr;
        for (std::size_t i = home(pid, obj);; i = (i + 1) & mask()) {
            const Slot &s = slots_[i];
            if (!s.value)
                return nullptr;
            if (s.obj == obj && s.pid == pid)
                return s.value;
        }
    }

    // Starts loading the slot where the key's probe begins (see EventSink::prefetch).
    void prefetch_home(std::int32_t pid, std::uint64_t obj) const
    {
        if (!slots_.empty())
            prefetch_line(&slots_[home(pid, obj)]);
    }

    // EventSink::prefetch's stages for the key's value: 0 its slot, 1 the value itself, 2 what the value
    // points to, which `pointed(value)` prefetches. Each stage finds the key again: by then it is in cache.
    template <class F>
    void prefetch(std::int32_t pid, std::uint64_t obj, unsigned stage, F &&pointed) const
    {
        if (stage == 0) {
            prefetch_home(pid, obj);
        } else if (const T *v = find(pid, obj)) {
            if (stage == 1)
                prefetch_bytes(v, sizeof(T));
            else
                pointed(*v);
        }
    }

    // The key must not be in the table.
    T &insert(std::int32_t pid, std::uint64_t obj, T &&value)
    {
        if ((size_ + 1) * 2 > slots_.size())
            grow();
        T *place = allocate();
        try {
            ::new (static_cast<void *>(place)) T(std::move(value));
        } catch (...) {
            REFBLAME_POISON(place, sizeof(T));
            free_.push_back(place); // reserved by allocate(): no allocation here
            throw;
        }
        Slot &s = slots_[free_slot(pid, obj)];
        s.obj = obj;
        s.pid = pid;
        s.value = place;
        ++size_;
        return *place;
    }

    void erase(std::int32_t pid, std::uint64_t obj) // nothing when absent
    {
        if (slots_.empty())
            return;
        std::size_t i = home(pid, obj);
        for (;; i = (i + 1) & mask()) {
            if (!slots_[i].value)
                return;
            if (slots_[i].obj == obj && slots_[i].pid == pid)
                break;
        }
        T *gone = slots_[i].value;
        slots_[i].value = nullptr;
        --size_;
        gone->~T();
        REFBLAME_POISON(gone, sizeof(T));
        free_.push_back(gone); // room reserved by allocate()
        // Move back every later entry of the run that may sit at or before the hole, so that none is cut
        // off from its home slot by an empty one.
        for (std::size_t j = (i + 1) & mask(); slots_[j].value; j = (j + 1) & mask()) {
            const std::size_t h = home(slots_[j].pid, slots_[j].obj);
            const bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j); // its home is after the hole
            if (stays)
                continue;
            slots_[i] = slots_[j];
            slots_[j].value = nullptr;
            i = j;
        }
    }

    template <class F>
    void for_each(F &&f) // every value in the table, in no particular order
    {
        for (Slot &s : slots_)
            if (s.value)
                f(*s.value);
    }
    std::size_t size() const { return size_; }
    void clear()
    {
        for (Slot &s : slots_)
            if (s.value)
                s.value->~T();
        slots_.clear();
        free_.clear();
        chunks_.clear();
        chunk_used_ = chunk_values;
        shift_ = 64;
        size_ = 0;
    }

private:
    static constexpr std::size_t chunk_values = 64;
    struct Slot {
        std::uint64_t obj = 0;
        std::int32_t pid = 0;
        T *value = nullptr; // in one of chunks_; null: empty slot
    };
    struct ChunkDelete {
        void operator()(T *p) const
        {
            REFBLAME_UNPOISON(p, sizeof(T) * chunk_values);
            ::operator delete(p, std::align_val_t(alignof(T)));
        }
    };
    using Chunk = std::unique_ptr<T, ChunkDelete>; // room for chunk_values values, constructed or not

    // Room for one value (not constructed), and room in free_ to give it back without allocating.
    T *allocate()
    {
        if (const std::size_t out = size_ + free_.size() + 1; free_.capacity() < out) // every value handed out
            free_.reserve(std::max(out, 2 * free_.capacity()));
        T *p = nullptr;
        if (!free_.empty()) {
            p = free_.back();
            free_.pop_back();
        } else {
            if (chunk_used_ == chunk_values) {
                Chunk room(static_cast<T *>(::operator new(sizeof(T) * chunk_values, std::align_val_t(alignof(T)))));
                REFBLAME_POISON(room.get(), sizeof(T) * chunk_values);
                chunks_.push_back(std::move(room));
                chunk_used_ = 0;
            }
            p = chunks_.back().get() + chunk_used_++;
        }
        REFBLAME_UNPOISON(p, sizeof(T));
        return p;
    }
    std::size_t mask() const { return slots_.size() - 1; }
    std::size_t home(std::int32_t pid, std::uint64_t obj) const
    {
        const std::uint64_t h = (obj ^ (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pid)) << 40)) *
                                0x9e3779b97f4a7c15ull;
        return static_cast<std::size_t>(h >> shift_);
    }
    std::size_t free_slot(std::int32_t pid, std::uint64_t obj) const
    {
        std::size_t i = home(pid, obj);
        while (slots_[i].value)
            i = (i + 1) & mask();
        return i;
    }
    void grow()
    {
        std::vector<Slot> old = std::move(slots_);
        const std::size_t n = old.empty() ? 64 : old.size() * 2;
        slots_ = std::vector<Slot>(n);
        shift_ = 64;
        for (std::size_t m = n; m > 1; m >>= 1)
            --shift_;
        size_ = 0;
        for (const Slot &s : old)
            if (s.value) {
                slots_[free_slot(s.pid, s.obj)] = s;
                ++size_;
            }
    }

    std::vector<Slot> slots_;
    std::vector<Chunk> chunks_;
    std::size_t chunk_used_ = chunk_values; // values handed out from chunks_.back()
    std::vector<T *> free_;                 // room of erased values, taken first
    unsigned shift_ = 64; // 64 - log2(slots_.size())
    std::size_t size_ = 0;
};

// The replay's live object generations.
using ObjectTable = KeyedTable<ObjectState>;

} // namespace refblame::analyzer::replay
