// site_index_test.cpp: site ids are dense, stable, never 0, and the same for the same (pid, caller, stack).
#include "replay/site_index.hpp"

#include <gtest/gtest.h>

namespace refblame::analyzer::replay {
namespace {

TEST(SiteIndex, IdsStartAtOneAndTheSameSiteKeepsItsId)
{
    SiteIndex s;
    std::uint32_t a = s.intern(SiteKey{1, 0x10, 0}), b = s.intern(SiteKey{1, 0x20, 0});
    EXPECT_EQ(a, 1u);
    EXPECT_EQ(b, 2u);
    EXPECT_EQ(s.intern(SiteKey{1, 0x10, 0}), a);
    EXPECT_EQ(s.key(b).address, 0x20u);
    EXPECT_EQ(s.find(SiteKey{1, 0x30, 0}), 0u);
    EXPECT_EQ(s.size(), 3u);
}

TEST(SiteIndex, PidAndStackMakeDistinctSitesEvenWhenTheirCacheSlotsCollide)
{
    SiteIndex s;
    std::vector<std::uint32_t> ids;
    for (std::int32_t pid = 1; pid <= 3; ++pid)
        for (std::uint32_t stack = 0; stack < 3; ++stack)
            for (std::uint64_t caller = 0; caller < 600; caller += 1) // more than the cache holds
                ids.push_back(s.intern(SiteKey{pid, 0x400000 + caller * 256, stack}));
    std::size_t i = 0;
    for (std::int32_t pid = 1; pid <= 3; ++pid)
        for (std::uint32_t stack = 0; stack < 3; ++stack)
            for (std::uint64_t caller = 0; caller < 600; caller += 1) {
                const SiteKey k{pid, 0x400000 + caller * 256, stack};
                ASSERT_EQ(s.intern(k), ids[i]);
                ASSERT_EQ(s.key(ids[i]), k);
                ++i;
            }
    EXPECT_EQ(s.size(), ids.size() + 1);
}

TEST(SiteIndex, AnEventKeepsTheIdItWasGiven)
{
    SiteIndex s;
    Event e;
    e.pid = 5;
    e.caller = 0x99;
    std::uint32_t id = s.of(e);
    e.site = id;
    e.caller = 0x77; // of() trusts an id already set
    EXPECT_EQ(s.of(e), id);
}

TEST(SiteIndex, EveryStackOfOneCallerSharesTheCallersAttributionId)
{
    SiteIndex s;
    std::uint32_t a = s.intern(SiteKey{1, 0x10, 7}), b = s.intern(SiteKey{1, 0x10, 9});
    std::uint32_t bare = s.find(SiteKey{1, 0x10, 0});
    ASSERT_NE(bare, 0u); // interned with the first stack seen
    EXPECT_NE(a, b);
    EXPECT_EQ(s.caller_of(a), bare);
    EXPECT_EQ(s.caller_of(b), bare);
    EXPECT_EQ(s.caller_of(bare), bare);
    EXPECT_NE(s.caller_of(s.intern(SiteKey{2, 0x10, 7})), bare); // another process is another site
    Event e;
    e.pid = 1;
    e.caller = 0x10;
    e.stack_id = 9;
    s.assign(e);
    EXPECT_EQ(e.site, b);
    EXPECT_EQ(e.caller_site, bare);
}

} // namespace
} // namespace refblame::analyzer::replay
