// trace_loss_test.cpp: discarded events and lost packets read from LTTng's per-stream CTF index files.
#include "trace_loss.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <vector>

using namespace refblame::tracer;
namespace fs = std::filesystem;

namespace {

struct Packet {
    std::uint64_t discarded; // cumulative, as the tracer writes it
    std::uint64_t seq;
};

void put_be(std::ofstream &out, std::uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        out.put(static_cast<char>((v >> (8 * i)) & 0xff));
}

// An index file as lttng-consumerd writes it (version 1.1, big-endian).
void write_index(const fs::path &file, const std::vector<Packet> &packets, std::uint32_t magic = 0xC1F1DCC1,
                 std::uint32_t minor = 1)
{
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    std::uint32_t entry = minor >= 1 ? 72 : 56;
    put_be(out, magic, 4);
    put_be(out, 1, 4);
    put_be(out, minor, 4);
    put_be(out, entry, 4);
    std::uint64_t offset = 0;
    for (const Packet &p : packets) {
        std::uint64_t fields[9] = {offset, 4096 * 8, 4000 * 8, 100 + p.seq, 200 + p.seq, p.discarded, 0, 1, p.seq};
        for (std::uint32_t i = 0; i < entry / 8; i++)
            put_be(out, fields[i], 8);
        offset += 4096;
    }
}

class TraceLossTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/rb-loss-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path dir;
};

} // namespace

TEST_F(TraceLossTest, SumsEachStreamsLastCumulativeDiscardedCount)
{
    write_index(dir / "ust/pid/a-1-20240101-000000/index/ch_0.idx", {{0, 0}, {10, 1}, {25, 2}});
    write_index(dir / "ust/pid/a-1-20240101-000000/index/ch_1.idx", {{0, 0}, {0, 1}});
    write_index(dir / "ust/pid/b-2-20240101-000000/index/ch_0.idx", {{7, 0}});
    TraceLoss loss = read_trace_loss(dir);
    EXPECT_EQ(loss.counts.discarded_events, 25u + 0u + 7u);
    EXPECT_EQ(loss.counts.lost_packets, 0u);
    EXPECT_EQ(loss.streams, 3u);
    EXPECT_TRUE(loss.problems.empty());
}

TEST_F(TraceLossTest, CountsGapsInPacketSequenceNumbersAsLostPackets)
{
    // Packets 0, 1, 4, 5 and 9 reached the trace: 2, 3, 6, 7 and 8 were lost.
    write_index(dir / "t/index/ch_0.idx", {{0, 0}, {0, 1}, {0, 4}, {0, 5}, {0, 9}});
    // Leading packets lost too: the first one in the file is 3.
    write_index(dir / "t/index/ch_1.idx", {{0, 3}, {0, 4}});
    EXPECT_EQ(read_trace_loss(dir).counts.lost_packets, 5u + 3u);
}

TEST_F(TraceLossTest, ReadsVersion10IndexesWithoutSequenceNumbers)
{
    write_index(dir / "t/index/ch_0.idx", {{3, 0}, {9, 7}}, 0xC1F1DCC1, 0);
    TraceLoss loss = read_trace_loss(dir);
    EXPECT_EQ(loss.counts.discarded_events, 9u);
    EXPECT_EQ(loss.counts.lost_packets, 0u);
}

TEST_F(TraceLossTest, ReportsUnreadableIndexesInsteadOfGuessing)
{
    write_index(dir / "t/index/ch_0.idx", {{5, 0}}, 0xDEADBEEF);
    fs::create_directories(dir / "t/index");
    std::ofstream(dir / "t/index/ch_1.idx") << "xx";
    std::ofstream(dir / "t/not_an_index.idx") << "ignored: not in an index directory";
    TraceLoss loss = read_trace_loss(dir);
    EXPECT_EQ(loss.streams, 0u);
    ASSERT_EQ(loss.problems.size(), 2u);
    for (const auto &p : loss.problems)
        EXPECT_TRUE(p.find("bad magic") != std::string::npos || p.find("too short") != std::string::npos) << p;
}
