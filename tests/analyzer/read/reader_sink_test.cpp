// reader_sink_test.cpp: the sink's policy on discarded-event counts (wrapped-around counts are a loss of unknown size).
#include "read/reader_sink.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace refblame::analyzer {
namespace {

constexpr std::uint64_t t0 = 1'700'000'000'000'000'000ull; // some time after the epoch, in ns

TEST(PlausibleDiscardCount, OrdinaryCountsOverTheirTimeRangeAreTrusted)
{
    EXPECT_TRUE(plausible_discard_count(1, t0, t0 + 1000));
    EXPECT_TRUE(plausible_discard_count(5'000'000, t0, t0 + 1'000'000'000)); // 5 M lost in 1 s
}

TEST(PlausibleDiscardCount, WrappedAroundCountsAreRejected)
{
    const std::uint64_t wrapped = ~std::uint64_t{0} - 41; // 2^64 - 42, as babeltrace2 2.0.4 printed
    EXPECT_FALSE(plausible_discard_count(wrapped, t0, t0 + 1'000'000'000));
    EXPECT_FALSE(plausible_discard_count(wrapped, 0, 0)); // even with no time range
}

TEST(PlausibleDiscardCount, MoreEventsThanNanosecondsIsRejected)
{
    EXPECT_FALSE(plausible_discard_count(10'000'000, t0, t0 + 2'000'000)); // 10 M in 2 ms
}

TEST(PlausibleDiscardCount, SmallCountsAreTrustedEvenOverATinyOrUnknownRange)
{
    EXPECT_TRUE(plausible_discard_count(1000, t0, t0 + 10));
    EXPECT_TRUE(plausible_discard_count(1000, 0, 0));
}

} // namespace
} // namespace refblame::analyzer
