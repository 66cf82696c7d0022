// stack_reports_test.cpp: folded stacks, the balance tree, sites by stack and holder stacks, from stacks recorded over this program's own functions.
#include "format/site_view.hpp"
#include "format/stack_reports.hpp"

#include "self_module.hpp"

#include <gtest/gtest.h>

// Frames of the recorded stacks (global: plain names).
extern "C" __attribute__((noinline)) int fr_get() { return 1; }
extern "C" __attribute__((noinline)) int fr_put() { return 2; }
extern "C" __attribute__((noinline)) int fr_leaky() { return 3; }
extern "C" __attribute__((noinline)) int fr_tidy() { return 4; }
extern "C" __attribute__((noinline)) int fr_main() { return 5; }

namespace {

using namespace refblame::analyzer;
using refblame::analyzer::testing::return_into;
using refblame::analyzer::testing::self_module;

constexpr std::int32_t pid = 31;

class StackReports : public ::testing::Test {
protected:
    void SetUp() override
    {
        sym.on_module(self_module(pid));
        // 1: fr_leaky <- fr_main; 2: fr_tidy <- fr_main
        sym.on_stack(StackEvent{pid, 1, 0, {return_into(fr_leaky), return_into(fr_main)}});
        sym.on_stack(StackEvent{pid, 2, 0, {return_into(fr_tidy), return_into(fr_main)}});
        t.trace = "/tmp/t";
    }
    static SiteKey get_in(std::uint32_t stack) { return SiteKey{pid, return_into(fr_get), stack}; }
    static SiteKey put_in(std::uint32_t stack) { return SiteKey{pid, return_into(fr_put), stack}; }
    static SiteUse use(SiteKey k, std::uint64_t acquired, std::uint64_t released)
    {
        SiteUse u;
        u.site = k;
        u.acquired = acquired;
        u.released = released;
        return u;
    }
    static HeldRefs held(SiteKey k, int refs, bool expected = false)
    {
        HeldRefs h;
        h.site = k;
        h.refs = refs;
        h.expected = expected;
        return h;
    }

    Symbolizer sym;
    TraceSummary t;
};

TEST_F(StackReports, FoldedLeaksListOutermostFirstAndSumPerStack)
{
    LeakedObject a, b;
    a.state.holders = {held(get_in(1), 2)};
    b.state.holders = {held(get_in(1), 1), held(get_in(2), 4)};
    EXPECT_EQ(leaks_folded({a, b}, sym), "fr_main;fr_leaky;fr_get 3\nfr_main;fr_tidy;fr_get 4\n");
}

TEST_F(StackReports, FoldedBlockersCountOnlyTheExtraRefs)
{
    Blocked b;
    b.holders = {held(get_in(1), 1), held(get_in(2), 1, true)};
    EXPECT_EQ(blockers_folded({b}, sym), "fr_main;fr_leaky;fr_get 1\n");
}

TEST_F(StackReports, ASiteWithoutStackIsOneFrame)
{
    LeakedObject a;
    a.state.holders = {held(SiteKey{pid, return_into(fr_get), 0}, 1)};
    EXPECT_EQ(leaks_folded({a}, sym), "fr_get 1\n");
}

TEST_F(StackReports, BalanceShowsOnlyTheSubtreesThatDoNotBalance)
{
    // fr_tidy takes 5 and drops 5; fr_leaky takes 3 and drops 1.
    std::vector<SiteUse> uses = {use(get_in(2), 5, 0), use(put_in(2), 0, 5), use(get_in(1), 3, 0),
                                 use(put_in(1), 0, 1)};
    nlohmann::json j = balance_json(t, uses, sym);
    EXPECT_EQ(j["acquired"], 8);
    EXPECT_EQ(j["released"], 6);
    EXPECT_EQ(j["balance"], 2);
    ASSERT_EQ(j["tree"].size(), 1u);
    const nlohmann::json &main = j["tree"][0];
    EXPECT_EQ(main["frame"]["function"], "fr_main");
    EXPECT_EQ(main["balance"], 2);
    ASSERT_EQ(main["children"].size(), 1u) << "fr_tidy balances: not shown";
    const nlohmann::json &leaky = main["children"][0];
    EXPECT_EQ(leaky["frame"]["function"], "fr_leaky");
    ASSERT_EQ(leaky["children"].size(), 2u);
    EXPECT_EQ(leaky["children"][0]["frame"]["function"], "fr_get");
    EXPECT_EQ(leaky["children"][0]["balance"], 3);
    EXPECT_EQ(leaky["children"][1]["balance"], -1);
    std::string text = balance_text(t, uses, sym);
    EXPECT_NE(text.find("+2  fr_main"), std::string::npos) << text;
    EXPECT_EQ(text.find("fr_tidy"), std::string::npos) << text;
}

TEST_F(StackReports, SitesByStackKeepTheCallersApart)
{
    SiteStats a, b;
    a.site = get_in(1);
    a.gets = 3;
    a.outstanding = 2;
    b.site = get_in(2);
    b.gets = 5;
    b.puts = 5;
    nlohmann::json j = sites_by_stack_json(t, {b, a}, sym);
    ASSERT_EQ(j["sites"].size(), 2u);
    EXPECT_EQ(j["sites"][0]["outstanding"], 2) << "most outstanding first";
    EXPECT_EQ(j["sites"][0]["stack"][1]["function"], "fr_leaky");
    EXPECT_EQ(j["sites"][1]["stack"][1]["function"], "fr_tidy");
}

TEST_F(StackReports, HolderJsonCarriesTheStackOnlyWhenOneWasRecorded)
{
    nlohmann::json with = holder_json(held(get_in(1), 1), sym);
    ASSERT_TRUE(with.contains("stack"));
    ASSERT_EQ(with["stack"].size(), 3u);
    EXPECT_EQ(with["stack"][0]["function"], "fr_get");
    EXPECT_EQ(with["stack"][2]["function"], "fr_main");
    EXPECT_FALSE(holder_json(held(SiteKey{pid, return_into(fr_get), 0}, 1), sym).contains("stack"));
}

} // namespace
