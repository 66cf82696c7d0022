// stack_sites_test.cpp: a site with a recorded stack is named by its first frame outside wrappers; wrappers are found from the stacks or named by --wrapper.
#include "symbolize/stack_sites.hpp"
#include "symbolize/symbolizer.hpp"
#include "symbolize/wrapper_detect.hpp"

#include "self_module.hpp"

#include <gtest/gtest.h>

// A helper every reference goes through, and the functions calling it (global: plain names).
extern "C" __attribute__((noinline)) int stk_helper() { return 1; }
extern "C" __attribute__((noinline)) int stk_caller_a() { return 2; }
extern "C" __attribute__((noinline)) int stk_caller_b() { return 3; }
extern "C" __attribute__((noinline)) int stk_caller_c() { return 4; }
extern "C" __attribute__((noinline)) int stk_outer() { return 5; }

namespace {

using namespace refblame::analyzer;
using refblame::analyzer::testing::return_into;
using refblame::analyzer::testing::self_module;

constexpr std::int32_t pid = 77;

class StackSitesTest : public ::testing::Test {
protected:
    void SetUp() override { feed(sym); }

    static void feed(Symbolizer &s)
    {
        s.on_module(self_module(pid));
        std::uint32_t id = 1;
        for (auto *caller : {stk_caller_a, stk_caller_b, stk_caller_c})
            s.on_stack(StackEvent{pid, id++, 0, {return_into(caller), return_into(stk_outer)}});
    }

    // An op inside stk_helper called from stack `id` (1: a, 2: b, 3: c).
    static SiteKey helper_site(std::uint32_t id) { return SiteKey{pid, return_into(stk_helper), id}; }

    static SiteUse use(std::uint32_t id, std::uint64_t acquired, std::uint64_t released, std::uint64_t other = 0)
    {
        SiteUse u;
        u.site = helper_site(id);
        u.acquired = acquired;
        u.released = released;
        u.other = other;
        return u;
    }

    Symbolizer sym;
};

TEST_F(StackSitesTest, WithoutWrappersTheCallerItselfIsTheSite)
{
    const SymbolizedSite &s = sym.resolve(helper_site(1));
    EXPECT_EQ(s.function, "stk_helper");
    EXPECT_FALSE(s.from_stack);
}

TEST_F(StackSitesTest, AWrapperIsSkippedAndItsCallerNamesTheSite)
{
    sym.add_wrappers({"stk_helper"});
    EXPECT_EQ(sym.resolve(helper_site(1)).function, "stk_caller_a");
    EXPECT_EQ(sym.resolve(helper_site(3)).function, "stk_caller_c");
    EXPECT_TRUE(sym.resolve(helper_site(2)).from_stack);
    EXPECT_EQ(sym.resolve(helper_site(2)).address, return_into(stk_caller_b)) << "the frame's own address";
}

TEST_F(StackSitesTest, ExplicitWrapperPatternsSkipFramesToo)
{
    SymbolizerOptions o;
    o.skip_functions = {"stk_help*", "stk_caller_?"};
    Symbolizer s(o);
    feed(s);
    EXPECT_EQ(s.resolve(helper_site(1)).function, "stk_outer");
}

TEST_F(StackSitesTest, WhenEveryFrameIsAWrapperTheCallerStaysAndSaysSo)
{
    sym.add_wrappers({"stk_helper", "stk_caller_a", "stk_outer"});
    const SymbolizedSite &s = sym.resolve(helper_site(1));
    EXPECT_EQ(s.function, "stk_helper");
    EXPECT_TRUE(s.through_wrapper);
}

TEST_F(StackSitesTest, StackListsTheCallerThenTheRecordedFrames)
{
    std::vector<SymbolizedSite> frames = sym.stack(helper_site(2));
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].function, "stk_helper");
    EXPECT_EQ(frames[1].function, "stk_caller_b");
    EXPECT_EQ(frames[2].function, "stk_outer");
    EXPECT_TRUE(sym.stack(SiteKey{pid, return_into(stk_helper), 0}).empty()) << "no stack recorded";
}

TEST_F(StackSitesTest, AStackIdWithoutDefinitionFallsBackToTheCallerWithAWarning)
{
    sym.add_wrappers({"stk_helper"});
    EXPECT_EQ(sym.resolve(helper_site(9)).function, "stk_helper");
    bool warned = false;
    for (const std::string &w : sym.warnings())
        warned = warned || w.find("not in the trace") != std::string::npos;
    EXPECT_TRUE(warned);
}

TEST_F(StackSitesTest, AFunctionCalledFromThreeSitesThatOnlyTakesAndDropsIsAWrapper)
{
    WrapperFindings w = detect_wrappers({use(1, 3, 3), use(2, 1, 1), use(3, 2, 0)}, sym);
    ASSERT_EQ(w.wrappers, std::vector<std::string>{"stk_helper"});
    EXPECT_TRUE(w.helpers_without_stacks.empty());
}

TEST_F(StackSitesTest, TwoCallersAreNotManyEnough)
{
    EXPECT_TRUE(detect_wrappers({use(1, 3, 3), use(2, 1, 1)}, sym).wrappers.empty());
}

TEST_F(StackSitesTest, AFunctionThatFreezesDoesSomethingElseWithTheCount)
{
    EXPECT_TRUE(detect_wrappers({use(1, 3, 3), use(2, 1, 1), use(3, 0, 0, 1)}, sym).wrappers.empty());
}

TEST_F(StackSitesTest, WithoutStacksATakingAndDroppingFunctionIsOnlyAHelperCandidate)
{
    SiteUse u;
    u.site = SiteKey{pid, return_into(stk_helper), 0};
    u.acquired = 4;
    u.released = 2;
    WrapperFindings w = detect_wrappers({u}, sym);
    EXPECT_TRUE(w.wrappers.empty());
    ASSERT_EQ(w.helpers_without_stacks, std::vector<std::string>{"stk_helper"});
    sym.add_wrappers(w.wrappers, w.helpers_without_stacks);
    EXPECT_TRUE(sym.resolve(u.site).maybe_helper);
    EXPECT_FALSE(sym.resolve(helper_site(1)).maybe_helper) << "a site with a stack needs no hint";
}

} // namespace
