// object_table.hpp: the replay's live objects by (pid, address): open addressing over keys and owning pointers, so finding an object is a multiply and a probe or two.
#pragma once

#include "replay/object_state.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace refblame::analyzer::replay {

// Linear probing in a power-of-two table at most half full; an object's state never moves while it is in
// the table (references to it stay valid until it is erased). std::unordered_map did the same job with a
// division by a prime and two dependent pointer loads per lookup: 17-20 % of an attribution replay.
class ObjectTable {
public:
    ObjectState *find(std::int32_t pid, std::uint64_t obj) const
    {
        if (slots_.empty())
            return nullptr;
        for (std::size_t i = home(pid, obj);; i = (i + 1) & mask()) {
            const Slot &s = slots_[i];
            if (!s.state)
                return nullptr;
            if (s.obj == obj && s.pid == pid)
                return s.state.get();
        }
    }

    // The key must not be in the table.
    ObjectState &insert(std::int32_t pid, std::uint64_t obj, ObjectState &&state);
    void erase(std::int32_t pid, std::uint64_t obj); // nothing when absent

    template <class F>
    void for_each(F &&f) // every object in the table, in no particular order
    {
        for (Slot &s : slots_)
            if (s.state)
                f(*s.state);
    }
    std::size_t size() const { return size_; }

private:
    struct Slot {
        std::uint64_t obj = 0;
        std::int32_t pid = 0;
        std::unique_ptr<ObjectState> state; // null: empty slot
    };
    std::size_t mask() const { return slots_.size() - 1; }
    std::size_t home(std::int32_t pid, std::uint64_t obj) const
    {
        const std::uint64_t h = (obj ^ (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pid)) << 40)) *
                                0x9e3779b97f4a7c15ull;
        return static_cast<std::size_t>(h >> shift_);
    }
    void grow();

    std::vector<Slot> slots_;
    unsigned shift_ = 64; // 64 - log2(slots_.size())
    std::size_t size_ = 0;
};

} // namespace refblame::analyzer::replay
