// buffer_size_test.cpp: --buffer-size parsing, its geometry, and the default's scaling with the CPU count.
#include "buffer_size.hpp"

#include "user_error.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

using namespace refblame::tracer;

namespace {

std::string error_of(const std::string &text)
{
    try {
        parse_buffer_size(text);
    } catch (const refblame::UserError &e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST(BufferSize, AcceptsBinaryUnitsInAnyCase)
{
    EXPECT_EQ(parse_buffer_size("16M"), 16u << 20);
    EXPECT_EQ(parse_buffer_size("16m"), 16u << 20);
    EXPECT_EQ(parse_buffer_size("16MiB"), 16u << 20);
    EXPECT_EQ(parse_buffer_size("512k"), 512u << 10);
    EXPECT_EQ(parse_buffer_size("1G"), 1u << 30);
    EXPECT_EQ(parse_buffer_size("65536"), 65536u);
}

TEST(BufferSize, RefusesWhatIsNotAPowerOfTwoSizeNamingTheValue)
{
    EXPECT_NE(error_of("10M").find("--buffer-size 10M: not a power of two"), std::string::npos);
    EXPECT_NE(error_of("lots").find("--buffer-size lots: not a size"), std::string::npos);
    EXPECT_NE(error_of("4X").find("unknown unit"), std::string::npos);
    EXPECT_NE(error_of("2G").find("larger than 1 GiB"), std::string::npos);
    EXPECT_NE(error_of("99999999999999999999").find("not a size"), std::string::npos);
    EXPECT_NE(error_of("4096").find("smaller than two pages"), std::string::npos);
    EXPECT_NE(error_of("").find("not a size"), std::string::npos);
}

TEST(BufferSize, SplitsIntoAtMostSixteenSubBuffersOfAtLeastOnePage)
{
    const std::uint64_t page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    ChannelGeometry big = geometry_for(32u << 20);
    EXPECT_EQ(big.num_subbuf, 16u);
    EXPECT_EQ(big.subbuf_size, 2u << 20);
    ChannelGeometry small = geometry_for(2 * page);
    EXPECT_EQ(small.num_subbuf, 2u);
    EXPECT_EQ(small.subbuf_size, page);
    for (std::uint64_t bytes = 2 * page; bytes <= (1u << 30); bytes *= 2) {
        ChannelGeometry g = geometry_for(bytes);
        EXPECT_EQ(g.bytes(), bytes);
        EXPECT_GE(g.subbuf_size, page);
    }
}

TEST(BufferSize, DefaultIs32MiBOnSmallMachinesAndShrinksWithManyCpus)
{
    EXPECT_EQ(default_buffer_bytes(1), 32u << 20);
    EXPECT_EQ(default_buffer_bytes(2), 32u << 20);
    EXPECT_EQ(default_buffer_bytes(16), 32u << 20);
    EXPECT_EQ(default_buffer_bytes(32), 16u << 20);
    EXPECT_EQ(default_buffer_bytes(48), 8u << 20); // 512/48 = 10.6 MiB, rounded down to a power of two
    EXPECT_EQ(default_buffer_bytes(1024), 4u << 20);
    EXPECT_EQ(default_buffer_bytes(0), 32u << 20);
}

TEST(BufferSize, FormatsExactBinaryUnits)
{
    EXPECT_EQ(format_bytes(32u << 20), "32 MiB");
    EXPECT_EQ(format_bytes(1u << 30), "1 GiB");
    EXPECT_EQ(format_bytes(16u << 10), "16 KiB");
    EXPECT_EQ(format_bytes(1000), "1000 B");
}
