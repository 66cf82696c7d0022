// pair_table.hpp: the (acquire site, release site) -> statistics table, open-addressed: looked up per candidate of every put.
#pragma once

#include <cstdint>
#include <vector>

namespace refblame::analyzer::attribute {

// Keys are (acquire << 32 | release) of SiteIndex ids, which start at 1, so 0 marks an empty slot.
template <typename Stats>
class PairTable {
public:
    static std::uint64_t key(std::uint32_t acquire, std::uint32_t release)
    {
        return static_cast<std::uint64_t>(acquire) << 32 | release;
    }

    Stats &get(std::uint64_t k) // inserts zeroed stats when absent
    {
        if (k == 0)
            return zero_key_;
        if ((stats_.size() + 1) * 2 > keys_.size())
            grow();
        std::size_t i = slot(k);
        if (keys_[i] == 0) {
            keys_[i] = k;
            index_[i] = static_cast<std::uint32_t>(stats_.size());
            stats_.emplace_back();
            order_.push_back(k);
        }
        return stats_[index_[i]];
    }
    const Stats *find(std::uint64_t k) const
    {
        if (k == 0)
            return &zero_key_;
        if (keys_.empty())
            return nullptr;
        std::size_t i = slot(k);
        return keys_[i] == 0 ? nullptr : &stats_[index_[i]];
    }
    std::size_t size() const { return stats_.size(); }

private:
    std::size_t slot(std::uint64_t k) const // where k is, or the empty slot where it goes
    {
        const std::size_t mask = keys_.size() - 1;
        std::size_t i = static_cast<std::size_t>((k * 0x9e3779b97f4a7c15ull) >> 17) & mask;
        while (keys_[i] != 0 && keys_[i] != k)
            i = (i + 1) & mask;
        return i;
    }
    void grow()
    {
        std::size_t n = keys_.empty() ? 64 : keys_.size() * 2;
        keys_.assign(n, 0);
        index_.assign(n, 0);
        for (std::uint32_t j = 0; j < order_.size(); ++j) {
            std::size_t i = slot(order_[j]);
            keys_[i] = order_[j];
            index_[i] = j;
        }
    }

    std::vector<std::uint64_t> keys_;
    std::vector<std::uint32_t> index_;
    std::vector<Stats> stats_;          // in insertion order
    std::vector<std::uint64_t> order_;  // key of stats_[j]
    Stats zero_key_{};
};

} // namespace refblame::analyzer::attribute
