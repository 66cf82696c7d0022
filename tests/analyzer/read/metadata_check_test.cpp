// metadata_check_test.cpp: the metadata packet-framing check that keeps a cut metadata file away from Babeltrace2 (which hangs on it).
#include "read/metadata_check.hpp"
#include "read_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>

namespace refblame::analyzer {
namespace {

namespace fs = std::filesystem;

// One metadata packet as LTTng writes it: 37-byte header, TSDL text, zero padding.
std::string packet(const std::string &text, std::uint32_t packet_bytes, std::uint8_t uuid_byte = 7)
{
    std::string p(packet_bytes, '\0');
    const std::uint32_t magic = 0x75D11D57, content_bits = static_cast<std::uint32_t>((37 + text.size()) * 8),
                        packet_bits = packet_bytes * 8;
    std::memcpy(p.data(), &magic, 4);
    std::memset(p.data() + 4, uuid_byte, 16);
    std::memcpy(p.data() + 24, &content_bits, 4);
    std::memcpy(p.data() + 28, &packet_bits, 4);
    p[36] = 8; // minor version
    std::memcpy(p.data() + 37, text.data(), text.size());
    return p;
}

struct MetadataFile {
    test::TempDir dir;
    fs::path path = dir.path() / "metadata";
    explicit MetadataFile(const std::string &bytes) { std::ofstream(path, std::ios::binary) << bytes; }
};

TEST(MetadataCheck, WellFramedPacketsPass)
{
    MetadataFile f(packet("/* CTF 1.8 */ trace {", 4096) + packet("};", 4096));
    EXPECT_EQ(check_metadata_framing(f.path), "");
}

TEST(MetadataCheck, PlainTextMetadataPasses)
{
    MetadataFile f("/* CTF 1.8 */\ntrace { major = 1; };\n");
    EXPECT_EQ(check_metadata_framing(f.path), "");
}

TEST(MetadataCheck, LastPacketCutShortIsTruncated)
{
    const std::string two = packet("/* CTF 1.8 */", 4096) + packet("more", 4096);
    MetadataFile f(two.substr(0, 5000));
    const std::string why = check_metadata_framing(f.path);
    EXPECT_NE(why.find("packet 1 at byte 4096"), std::string::npos) << why;
    EXPECT_NE(why.find("truncated"), std::string::npos) << why;
}

TEST(MetadataCheck, CutInsideAPacketHeaderIsTruncated)
{
    MetadataFile f(packet("/* CTF 1.8 */", 4096) + packet("x", 4096).substr(0, 20));
    EXPECT_NE(check_metadata_framing(f.path).find("less than a packet header"), std::string::npos);
}

TEST(MetadataCheck, EmptyFileSaysEmpty)
{
    MetadataFile f("");
    EXPECT_EQ(check_metadata_framing(f.path), "the file is empty");
}

TEST(MetadataCheck, GarbageIsNotCtfMetadata)
{
    MetadataFile f("garbage that is long enough to hold a packet header......");
    EXPECT_NE(check_metadata_framing(f.path).find("not CTF metadata"), std::string::npos);
}

TEST(MetadataCheck, ImpossibleSizesAreCorrupt)
{
    std::string p = packet("/* CTF 1.8 */", 4096);
    const std::uint32_t zero = 0;
    std::memcpy(p.data() + 28, &zero, 4); // packet size 0 < content size
    MetadataFile f(p);
    EXPECT_NE(check_metadata_framing(f.path).find("impossible sizes"), std::string::npos);
}

TEST(MetadataCheck, PacketOfAnotherTraceIsCorrupt)
{
    MetadataFile f(packet("/* CTF 1.8 */", 4096) + packet("x", 4096, 9));
    EXPECT_NE(check_metadata_framing(f.path).find("UUID"), std::string::npos);
}

} // namespace
} // namespace refblame::analyzer
