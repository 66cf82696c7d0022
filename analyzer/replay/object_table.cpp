// object_table.cpp: inserting (growing at half full) and erasing with backward shift, so probes never need tombstones.
#include "replay/object_table.hpp"

#include <utility>

namespace refblame::analyzer::replay {

ObjectState &ObjectTable::insert(std::int32_t pid, std::uint64_t obj, ObjectState &&state)
{
    if ((size_ + 1) * 2 > slots_.size())
        grow();
    std::size_t i = home(pid, obj);
    while (slots_[i].state)
        i = (i + 1) & mask();
    Slot &s = slots_[i];
    s.obj = obj;
    s.pid = pid;
    s.state = std::make_unique<ObjectState>(std::move(state));
    ++size_;
    return *s.state;
}

void ObjectTable::erase(std::int32_t pid, std::uint64_t obj)
{
    if (slots_.empty())
        return;
    std::size_t i = home(pid, obj);
    for (;; i = (i + 1) & mask()) {
        if (!slots_[i].state)
            return;
        if (slots_[i].obj == obj && slots_[i].pid == pid)
            break;
    }
    slots_[i].state.reset();
    --size_;
    // Move back every later entry of the run that may sit at or before the hole, so that none is cut
    // off from its home slot by an empty one.
    for (std::size_t j = (i + 1) & mask(); slots_[j].state; j = (j + 1) & mask()) {
        const std::size_t h = home(slots_[j].pid, slots_[j].obj);
        const bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j); // its home is after the hole
        if (stays)
            continue;
        slots_[i] = std::move(slots_[j]);
        i = j;
    }
}

void ObjectTable::grow()
{
    std::vector<Slot> old = std::move(slots_);
    const std::size_t n = old.empty() ? 64 : old.size() * 2;
    slots_ = std::vector<Slot>(n);
    shift_ = 64;
    for (std::size_t m = n; m > 1; m >>= 1)
        --shift_;
    size_ = 0;
    for (Slot &s : old)
        if (s.state) {
            std::size_t i = home(s.pid, s.obj);
            while (slots_[i].state)
                i = (i + 1) & mask();
            slots_[i] = std::move(s);
            ++size_;
        }
}

} // namespace refblame::analyzer::replay
