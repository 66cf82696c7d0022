// continuity_test.cpp: the count arithmetic each op must satisfy (count == previous + delta, absolute ops, freezes).
#include "replay/continuity.hpp"

#include <gtest/gtest.h>

namespace refblame::analyzer::replay {
namespace {

Event ev(Op op, int count, int val, int ret = 0)
{
    Event e;
    e.op = op;
    e.count = count;
    e.val = val;
    e.ret = ret;
    return e;
}

TEST(Continuity, RelativeOpsFollowWhenCountIsPreviousPlusDelta)
{
    for (Op op : {Op::mod, Op::mod_and_test, Op::mod_and_return}) {
        EXPECT_TRUE(follows(3, ev(op, 4, 1)));
        EXPECT_TRUE(follows(3, ev(op, 1, -2)));
        EXPECT_FALSE(follows(3, ev(op, 5, 1)));
        EXPECT_EQ(implied_before(ev(op, 4, 1)), 3);
    }
}

TEST(Continuity, ModUnlessAddsOnlyWhenItSucceeded)
{
    EXPECT_TRUE(follows(2, ev(Op::mod_unless, 3, 1, 1)));
    EXPECT_TRUE(follows(0, ev(Op::mod_unless, 0, 1, 0)));  // get_unless_zero on 0 fails, count unchanged
    EXPECT_FALSE(follows(2, ev(Op::mod_unless, 3, 1, 0))); // a failed add cannot change the count
}

TEST(Continuity, FreezeSucceedsFromExactlyExpectedAndFailsWithTheCountSeen)
{
    EXPECT_TRUE(follows(2, ev(Op::freeze, 0, 2, 1)));
    EXPECT_FALSE(follows(3, ev(Op::freeze, 0, 2, 1)));
    EXPECT_EQ(implied_before(ev(Op::freeze, 0, 2, 1)), 2);
    EXPECT_TRUE(follows(3, ev(Op::freeze, 3, 2, 0)));
    EXPECT_FALSE(follows(4, ev(Op::freeze, 3, 2, 0))); // failed freeze must see the current count
    EXPECT_FALSE(follows(2, ev(Op::freeze, 2, 2, 0))); // failing while count == expected is impossible
}

TEST(Continuity, AbsoluteOpsAlwaysFollow)
{
    for (Op op : {Op::set, Op::unfreeze, Op::obj_init}) {
        EXPECT_TRUE(follows(7, ev(op, 1, 1)));
        EXPECT_FALSE(implied_before(ev(op, 1, 1)).has_value());
    }
}

TEST(Continuity, FreeAndMoveMustSeeTheCurrentCount)
{
    EXPECT_TRUE(follows(2, ev(Op::obj_free, 2, 0)));
    EXPECT_FALSE(follows(2, ev(Op::obj_free, 1, 0)));
    EXPECT_TRUE(follows(1, ev(Op::move, 1, 0)));
    EXPECT_FALSE(follows(1, ev(Op::move, 2, 0)));
}

TEST(Continuity, HostileValuesDoNotOverflow)
{
    EXPECT_FALSE(follows(INT32_MAX, ev(Op::mod, INT32_MIN, 1)));
    EXPECT_TRUE(follows(INT32_MAX, ev(Op::mod, INT32_MAX, 0)));
    EXPECT_EQ(implied_before(ev(Op::mod, INT32_MIN, -1)), INT32_MIN + 1);
}

} // namespace
} // namespace refblame::analyzer::replay
