// trace_loss.cpp: what the trace itself says was lost: discarded events and lost packets, from the per-stream CTF index files.
#include "trace_loss.hpp"

#include <array>
#include <cstdint>
#include <fstream>
#include <system_error>

namespace refblame::tracer {

namespace fs = std::filesystem;

namespace {

// lttng-tools' CTF index (src/common/index/ctf-index.h), big-endian:
// header {magic, major, minor, entry length}, then one entry per packet:
// {offset, packet_size, content_size, timestamp_begin, timestamp_end,
//  events_discarded, stream_id[, stream_instance_id, packet_seq_num (1.1)]}.
constexpr std::uint32_t index_magic = 0xC1F1DCC1;
constexpr std::size_t entry_v1_0 = 7 * 8;
constexpr std::size_t entry_v1_1 = 9 * 8;
constexpr int field_events_discarded = 5;
constexpr int field_packet_seq_num = 8;

std::uint64_t big_endian(const unsigned char *p, int bytes)
{
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

// Adds one stream's counts; returns an error text, empty when fine.
std::string read_index(const fs::path &file, LossCounts &counts)
{
    std::ifstream in(file, std::ios::binary);
    std::array<unsigned char, 16> header{};
    if (!in.read(reinterpret_cast<char *>(header.data()), header.size()))
        return "too short for an index header";
    if (big_endian(&header[0], 4) != index_magic)
        return "not an LTTng CTF index (bad magic)";
    std::uint64_t major = big_endian(&header[4], 4);
    std::uint64_t minor = big_endian(&header[8], 4);
    std::size_t entry_len = big_endian(&header[12], 4);
    if (major != 1 || entry_len < entry_v1_0 || entry_len > 4096)
        return "unsupported index version " + std::to_string(major) + "." + std::to_string(minor);
    bool has_seq = minor >= 1 && entry_len >= entry_v1_1;

    std::vector<unsigned char> entry(entry_len);
    std::uint64_t packets = 0, discarded = 0, first_seq = 0, last_seq = 0;
    while (in.read(reinterpret_cast<char *>(entry.data()), static_cast<std::streamsize>(entry_len))) {
        discarded = big_endian(&entry[field_events_discarded * 8], 8);
        if (has_seq) {
            last_seq = big_endian(&entry[field_packet_seq_num * 8], 8);
            if (packets == 0)
                first_seq = last_seq;
        }
        packets++;
    }
    counts.discarded_events += discarded;
    if (has_seq && packets > 0 && last_seq >= first_seq) {
        // Sequence numbers start at 0 for each stream: a gap, leading ones
        // included, is a packet that never reached the trace.
        std::uint64_t expected = last_seq + 1;
        if (expected > packets)
            counts.lost_packets += expected - packets;
    }
    return {};
}

} // namespace

TraceLoss read_trace_loss(const fs::path &dir)
{
    TraceLoss loss;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        const fs::path &p = it->path();
        if (p.extension() != ".idx" || p.parent_path().filename() != "index" || !it->is_regular_file(ec))
            continue;
        std::string problem = read_index(p, loss.counts);
        if (problem.empty())
            loss.streams++;
        else
            loss.problems.push_back(p.string() + ": " + problem);
    }
    return loss;
}

} // namespace refblame::tracer
