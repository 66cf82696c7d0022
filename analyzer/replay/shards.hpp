// shards.hpp: which shard of the objects an object belongs to, when the attribution replay is split by object over threads.
#pragma once

#include <cstdint>

namespace refblame::analyzer::replay {

// Which of `shards` shards the object (pid, obj) belongs to: every event of an object goes to one shard.
inline unsigned shard_of(std::int32_t pid, std::uint64_t obj, unsigned shards)
{
    const std::uint64_t h = (obj ^ static_cast<std::uint32_t>(pid)) * 0x9e3779b97f4a7c15ull;
    return static_cast<unsigned>(((h >> 32) * shards) >> 32); // the high half scaled: no division
}

} // namespace refblame::analyzer::replay
