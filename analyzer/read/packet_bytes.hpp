// packet_bytes.hpp: reads the fixed-width integers of a CTF packet header in either byte order (the framing checks).
#pragma once

#include <cstdint>
#include <cstring>

namespace refblame::analyzer {

inline std::uint32_t load_u32(const unsigned char *p, bool swap)
{
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return swap ? __builtin_bswap32(v) : v;
}

inline std::uint64_t load_u64(const unsigned char *p, bool swap)
{
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return swap ? __builtin_bswap64(v) : v;
}

} // namespace refblame::analyzer
