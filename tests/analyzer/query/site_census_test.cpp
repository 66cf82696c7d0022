// site_census_test.cpp: each (caller, stack) counts the units its events took and dropped, and the ops that only set the count.
#include "query/site_census.hpp"

#include "event_builder.hpp"

#include <gtest/gtest.h>

namespace {

using namespace refblame::analyzer;

TEST(SiteCensus, CountsUnitsPerCallerAndStack)
{
    refblame::analyzer::testing::EventBuilder b;
    b.init(0x100, "page", 1, 0x10, 1);
    b.get(0x100, 0x20, 1, 0, 2).stack_id = 5;
    b.get(0x100, 0x20, 1).stack_id = 6; // same caller, another stack: another site
    b.put(0x100, 0x30, 1);
    b.freeze(0x100, 3, 0x40, 1);
    query::SiteCensus census;
    for (const Event &e : b.events())
        census.add(e);
    std::vector<SiteUse> uses = census.take();
    ASSERT_EQ(uses.size(), 5u);
    EXPECT_EQ(uses[0].site.address, 0x10u);
    EXPECT_EQ(uses[0].acquired, 1u) << "obj_init's initial count is taken at its site";
    EXPECT_EQ(uses[1].site.stack_id, 5u);
    EXPECT_EQ(uses[1].acquired, 2u);
    EXPECT_EQ(uses[2].site.stack_id, 6u);
    EXPECT_EQ(uses[2].acquired, 1u);
    EXPECT_EQ(uses[3].released, 1u);
    EXPECT_EQ(uses[4].other, 1u);
    EXPECT_EQ(uses[4].acquired + uses[4].released, 0u);
}

} // namespace
