// loss_windows_test.cpp: which quiet spells of an object a loss of its process (or of an unknown process) falls into.
#include "replay/loss_windows.hpp"

#include <gtest/gtest.h>

namespace refblame::analyzer::replay {
namespace {

Loss loss(std::int32_t pid, std::uint64_t begin, std::uint64_t end)
{
    Loss l;
    l.pid = pid;
    l.begin_ns = begin;
    l.end_ns = end;
    l.count = 10;
    return l;
}

TEST(LossWindows, AnIntervalOverlappingALossOfItsProcessSpansIt)
{
    LossWindows w;
    w.add(loss(7, 100, 200));
    EXPECT_TRUE(w.between(7, 50, 150));
    EXPECT_TRUE(w.between(7, 150, 160));
    EXPECT_TRUE(w.between(7, 150, 300));
    EXPECT_TRUE(w.between(7, 50, 300));
}

TEST(LossWindows, IntervalsBeforeOrAfterTheLossOrInAnotherProcessDoNot)
{
    LossWindows w;
    w.add(loss(7, 100, 200));
    EXPECT_FALSE(w.between(7, 10, 100)); // ends where the loss begins
    EXPECT_FALSE(w.between(7, 200, 300)); // begins where it ends
    EXPECT_FALSE(w.between(8, 50, 300));
    EXPECT_TRUE(LossWindows().empty());
    EXPECT_FALSE(w.empty());
}

TEST(LossWindows, ALossOfUnknownProcessCoversEveryProcess)
{
    LossWindows w;
    w.add(loss(unknown_id, 100, 200));
    EXPECT_TRUE(w.between(7, 50, 150));
    EXPECT_TRUE(w.between(8, 150, 300));
    EXPECT_FALSE(w.between(8, 300, 400));
}

TEST(LossWindows, ALossWithoutTimeRangeCoversAllTime)
{
    LossWindows w;
    w.add(loss(7, 0, 0)); // a stream that could not be read
    EXPECT_TRUE(w.between(7, 1, 2));
    EXPECT_TRUE(w.between(7, 1'000'000'000'000, 1'000'000'000'001));
    EXPECT_FALSE(w.between(8, 1, 2));
}

TEST(LossWindows, ManyLossesOutOfOrderAreAllFound)
{
    LossWindows w;
    // A long early loss added last must still be found behind many short later ones.
    for (std::uint64_t i = 10; i > 0; --i)
        w.add(loss(7, 1000 * i, 1000 * i + 10));
    w.add(loss(7, 500, 9000));
    EXPECT_TRUE(w.between(7, 8500, 8600));  // only the long one covers it
    EXPECT_FALSE(w.between(7, 9100, 9200)); // between two short ones
    EXPECT_TRUE(w.between(7, 9200, 10'005));
    EXPECT_FALSE(w.between(7, 10'010, 20'000));
    EXPECT_FALSE(w.between(7, 0, 500));
}

} // namespace
} // namespace refblame::analyzer::replay
