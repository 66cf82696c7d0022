// stream_check_test.cpp: the stream packet-framing check that keeps impossible packet sizes away from Babeltrace2 (which aborts on them).
#include "read/stream_check.hpp"
#include "read_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>

namespace refblame::analyzer {
namespace {

namespace fs = std::filesystem;

// One LTTng stream packet: header (magic, uuid, ids), context (timestamps, content and packet size in bits).
std::string packet(std::uint64_t packet_bytes, std::uint64_t content_bytes)
{
    std::string p(packet_bytes, '\0');
    const std::uint32_t magic = 0xC1FC1FC1;
    const std::uint64_t content_bits = content_bytes * 8, packet_bits = packet_bytes * 8;
    std::memcpy(p.data(), &magic, 4);
    std::memcpy(p.data() + 48, &content_bits, 8);
    std::memcpy(p.data() + 56, &packet_bits, 8);
    return p;
}

struct File {
    test::TempDir dir;
    fs::path path = dir.path() / "refblame_0";
    explicit File(const std::string &bytes) { std::ofstream(path, std::ios::binary) << bytes; }
};

void set_u64(std::string &bytes, std::size_t at, std::uint64_t v) { std::memcpy(bytes.data() + at, &v, 8); }

TEST(StreamCheck, WellFramedPacketsPass)
{
    File f(packet(4096, 1000) + packet(8192, 8192) + packet(4096, 64));
    EXPECT_EQ(check_stream_framing(f.path), "");
    File empty("");
    EXPECT_EQ(check_stream_framing(empty.path), "");
}

TEST(StreamCheck, APacketSizeWithItsTopBitSetIsCorrupt)
{
    std::string bytes = packet(4096, 1000) + packet(4096, 1000);
    set_u64(bytes, 4096 + 56, (std::uint64_t{1} << 63) + 4096 * 8);
    File f(bytes);
    const std::string why = check_stream_framing(f.path);
    EXPECT_NE(why.find("packet 1 at byte 4096"), std::string::npos) << why;
    EXPECT_NE(why.find("corrupt"), std::string::npos) << why;
}

TEST(StreamCheck, ContentLargerThanThePacketIsCorrupt)
{
    std::string bytes = packet(4096, 1000);
    set_u64(bytes, 48, 4097 * 8);
    File f(bytes);
    EXPECT_NE(check_stream_framing(f.path).find("impossible sizes"), std::string::npos);
}

TEST(StreamCheck, ALastPacketCutShortIsTruncated)
{
    File f(packet(4096, 1000) + packet(4096, 1000).substr(0, 3000));
    const std::string why = check_stream_framing(f.path);
    EXPECT_NE(why.find("packet 1 at byte 4096 claims 4096 bytes but the file ends at byte 7096 (truncated)"),
              std::string::npos)
        << why;
    File header(packet(4096, 1000) + packet(4096, 1000).substr(0, 20));
    EXPECT_NE(check_stream_framing(header.path).find("ends inside its header"), std::string::npos);
}

TEST(StreamCheck, APacketWithoutTheMagicIsCorrupt)
{
    std::string bytes = packet(4096, 1000) + packet(4096, 1000);
    bytes[4096] = 'x';
    File f(bytes);
    EXPECT_NE(check_stream_framing(f.path).find("packet 1 at byte 4096: no CTF packet magic"), std::string::npos);
}

TEST(StreamCheck, OnlyLttngsPacketLayoutIsChecked)
{
    test::TempDir dir;
    const fs::path meta = dir.path() / "metadata";
    std::ofstream(meta) << "typealias integer { size = 64; align = 8; signed = false; } := uint64_t;\n"
                           "\tpacket.header := struct {\n\t\tuint32_t magic;\n\t\tuint8_t  uuid[16];\n"
                           "\t\tuint32_t stream_id;\n\t\tuint64_t stream_instance_id;\n\t};\n"
                           "struct packet_context {\n\tuint64_clock_monotonic_t timestamp_begin;\n"
                           "\tuint64_clock_monotonic_t timestamp_end;\n\tuint64_t content_size;\n"
                           "\tuint64_t packet_size;\n\tuint64_t packet_seq_num;\n";
    EXPECT_TRUE(has_lttng_packet_layout(meta));
    std::ofstream(meta) << "/* CTF 1.8 */ trace { packet.header := struct { uint32_t magic; }; };";
    EXPECT_FALSE(has_lttng_packet_layout(meta));
}

} // namespace
} // namespace refblame::analyzer
