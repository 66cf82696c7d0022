// child_environment_test.cpp: what the traced program's environment gains for each loss policy, and what it keeps.
#include "child_environment.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace refblame::tracer;

namespace {

int count_of(const std::vector<std::string> &env, const std::string &prefix)
{
    return static_cast<int>(std::count_if(env.begin(), env.end(), [&](const std::string &e) { return e.rfind(prefix, 0) == 0; }));
}

bool has(const std::vector<std::string> &env, const std::string &entry)
{
    return std::find(env.begin(), env.end(), entry) != env.end();
}

} // namespace

TEST(ChildEnvironment, BlockingModeAllowsBlockingAndKeepsEverythingElse)
{
    const char *base[] = {"HOME=/home/u", "LTTNG_HOME=/srv/lt", "LTTNG_UST_ALLOW_BLOCKING=0", "PATH=/bin", nullptr};
    auto env = child_environment(base, LossPolicy::block);
    EXPECT_TRUE(has(env, "LTTNG_UST_ALLOW_BLOCKING=1"));
    EXPECT_EQ(count_of(env, "LTTNG_UST_ALLOW_BLOCKING="), 1);
    EXPECT_TRUE(has(env, "HOME=/home/u"));
    EXPECT_TRUE(has(env, "LTTNG_HOME=/srv/lt")) << "the program must find the same session daemon";
    EXPECT_TRUE(has(env, "PATH=/bin"));
}

TEST(ChildEnvironment, DiscardModeDoesNotTouchBlocking)
{
    const char *base[] = {"PATH=/bin", nullptr};
    auto env = child_environment(base, LossPolicy::discard);
    EXPECT_EQ(count_of(env, "LTTNG_UST_ALLOW_BLOCKING="), 0);
}

TEST(ChildEnvironment, RegisterTimeoutIsSetUnlessTheUserChoseOne)
{
    const char *plain[] = {"PATH=/bin", nullptr};
    EXPECT_TRUE(has(child_environment(plain, LossPolicy::block),
                    "LTTNG_UST_REGISTER_TIMEOUT=" + std::to_string(register_timeout_ms)));
    const char *chosen[] = {"LTTNG_UST_REGISTER_TIMEOUT=-1", nullptr};
    auto env = child_environment(chosen, LossPolicy::block);
    EXPECT_TRUE(has(env, "LTTNG_UST_REGISTER_TIMEOUT=-1"));
    EXPECT_EQ(count_of(env, "LTTNG_UST_REGISTER_TIMEOUT="), 1);
}

TEST(ChildEnvironment, NameMatchingIsExact)
{
    const char *base[] = {"LTTNG_UST_ALLOW_BLOCKING_X=7", nullptr};
    auto env = child_environment(base, LossPolicy::block);
    EXPECT_TRUE(has(env, "LTTNG_UST_ALLOW_BLOCKING_X=7"));
    EXPECT_TRUE(has(env, "LTTNG_UST_ALLOW_BLOCKING=1"));
}

TEST(ChildEnvironment, RecordsShortStacksByDefaultAndTheDepthAskedOtherwise)
{
    const char *plain[] = {"PATH=/bin", nullptr};
    EXPECT_TRUE(has(child_environment(plain, LossPolicy::block), "REFBLAME_STACK=8"));
    EXPECT_TRUE(has(child_environment(plain, LossPolicy::block, 0), "REFBLAME_STACK=0"));
    const char *chosen[] = {"REFBLAME_STACK=3", nullptr};
    EXPECT_TRUE(has(child_environment(chosen, LossPolicy::block), "REFBLAME_STACK=3")) << "the user's own setting";
    auto env = child_environment(chosen, LossPolicy::block, 16);
    EXPECT_TRUE(has(env, "REFBLAME_STACK=16")) << "--stack wins";
    EXPECT_EQ(count_of(env, "REFBLAME_STACK="), 1);
}

TEST(ChildEnvironment, TrackDlopenPrependsTheLttngDlopenWrapperToLdPreload)
{
    const char *plain[] = {"PATH=/usr/bin", nullptr};
    EXPECT_FALSE(has(child_environment(plain, LossPolicy::block), std::string("LD_PRELOAD=") + dlopen_tracker));
    EXPECT_TRUE(has(child_environment(plain, LossPolicy::block, std::nullopt, true),
                    std::string("LD_PRELOAD=") + dlopen_tracker));
    const char *preloaded[] = {"LD_PRELOAD=libmine.so", nullptr};
    EXPECT_TRUE(has(child_environment(preloaded, LossPolicy::block, std::nullopt, true),
                    std::string("LD_PRELOAD=") + dlopen_tracker + ":libmine.so"))
        << "the user's preload is kept";
}
