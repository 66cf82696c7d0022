// buffer_size.cpp: `--buffer-size SIZE` (per CPU, per process) -> channel geometry; the default size.
#include "buffer_size.hpp"

#include "user_error.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <sys/sysinfo.h>
#include <unistd.h>

namespace refblame::tracer {

namespace {

constexpr std::uint64_t max_bytes = std::uint64_t{1} << 30;
constexpr std::uint64_t max_subbufs = 16;

std::uint64_t page_size()
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? static_cast<std::uint64_t>(page) : 4096;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

} // namespace

std::uint64_t default_buffer_bytes(unsigned cpus)
{
    constexpr std::uint64_t largest = std::uint64_t{32} << 20;
    constexpr std::uint64_t smallest = std::uint64_t{4} << 20;
    constexpr std::uint64_t per_process = std::uint64_t{512} << 20;
    std::uint64_t share = std::bit_floor(per_process / std::max(cpus, 1u));
    return std::clamp(share, smallest, largest);
}

std::uint64_t default_buffer_bytes()
{
    int cpus = get_nprocs_conf();
    return default_buffer_bytes(cpus > 0 ? static_cast<unsigned>(cpus) : 1u);
}

std::uint64_t parse_buffer_size(const std::string &text)
{
    auto invalid = [&](const std::string &why) {
        return UserError("--buffer-size " + text + ": " + why +
                         " (give a power of two per CPU, such as 4M, 16M or 64M)");
    };
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
        digits++;
    if (digits == 0 || digits > 12)
        throw invalid("not a size");
    std::uint64_t value = std::stoull(text.substr(0, digits));
    std::string unit = lower(text.substr(digits));
    int shift;
    if (unit.empty() || unit == "b")
        shift = 0;
    else if (unit == "k" || unit == "kb" || unit == "kib")
        shift = 10;
    else if (unit == "m" || unit == "mb" || unit == "mib")
        shift = 20;
    else if (unit == "g" || unit == "gb" || unit == "gib")
        shift = 30;
    else
        throw invalid("unknown unit \"" + text.substr(digits) + "\" (use K, M or G)");
    if (value > (max_bytes >> shift))
        throw invalid("larger than " + format_bytes(max_bytes));
    std::uint64_t bytes = value << shift;
    if (bytes < 2 * page_size())
        throw invalid("smaller than two pages (" + format_bytes(2 * page_size()) + ")");
    if (!std::has_single_bit(bytes))
        throw invalid("not a power of two");
    return bytes;
}

ChannelGeometry geometry_for(std::uint64_t bytes)
{
    ChannelGeometry g;
    g.num_subbuf = std::clamp<std::uint64_t>(bytes / page_size(), 2, max_subbufs);
    g.subbuf_size = bytes / g.num_subbuf;
    return g;
}

std::string format_bytes(std::uint64_t bytes)
{
    if (bytes >= (1u << 30) && bytes % (1u << 30) == 0)
        return std::to_string(bytes >> 30) + " GiB";
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= (1u << 10) && bytes % (1u << 10) == 0)
        return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " B";
}

} // namespace refblame::tracer
