// reorder_test.cpp: putting one object's events from two CPUs back in the order their counts say.
#include "replay/reorder.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace refblame::analyzer::replay {
namespace {

Event mod(std::int32_t tid, int val, int count)
{
    Event e;
    e.op = Op::mod;
    e.tid = tid;
    e.val = val;
    e.count = count;
    return e;
}

TEST(Reorder, SwapsTwoThreadsWhoseTimestampsInvertedTheirOps)
{
    // Count 4: thread 1 incremented to 5, then thread 2 decremented to 4, but thread 2's event came first.
    std::vector<Event> pending{mod(2, -1, 4), mod(1, +1, 5)};
    EXPECT_EQ(consistent_order(4, pending), (std::vector<std::size_t>{1, 0}));
}

TEST(Reorder, KeepsArrivalOrderWhenItIsConsistent)
{
    std::vector<Event> pending{mod(1, +1, 2), mod(2, +1, 3), mod(1, -1, 2)};
    EXPECT_EQ(consistent_order(1, pending), (std::vector<std::size_t>{0, 1, 2}));
}

TEST(Reorder, NeverReordersOneThreadsOwnEvents)
{
    // Only swapping thread 1's two events would make the counts work: not allowed.
    std::vector<Event> pending{mod(1, -1, 4), mod(1, +1, 5)};
    EXPECT_TRUE(consistent_order(4, pending).empty());
}

TEST(Reorder, ReportsNoOrderWhenEventsWereLost)
{
    std::vector<Event> pending{mod(1, +1, 7), mod(2, +1, 8)}; // count was 4: three increments missing
    EXPECT_TRUE(consistent_order(4, pending).empty());
}

TEST(Reorder, SearchIsBoundedOnManyThreads)
{
    // Eleven no-op events fit in any of 11! orders; the twelfth never fits. Without
    // the bound this would try every interleaving.
    std::vector<Event> pending;
    for (int t = 0; t < 11; ++t)
        pending.push_back(mod(t, 0, 0));
    pending.push_back(mod(11, +1, 100));
    auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(consistent_order(0, pending, 5000).empty());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

} // namespace
} // namespace refblame::analyzer::replay
