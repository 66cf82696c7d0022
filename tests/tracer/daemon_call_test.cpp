// daemon_call_test.cpp: a request on a thread of its own: the caller gets its result, its exception, or stops waiting for it.
#include "daemon_call.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

using namespace refblame::tracer;

TEST(DaemonCall, GivesTheWorkItsTimeAndItsResult)
{
    auto value = std::make_shared<int>(0);
    int asked = 0;
    DaemonCall call([value] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        *value = 7;
    });
    EXPECT_TRUE(call.wait([&] { return ++asked > 100; }));
    EXPECT_EQ(*value, 7);
    EXPECT_GE(asked, 1); // asked while the work ran (every 200 ms)
}

TEST(DaemonCall, RethrowsWhatTheWorkThrew)
{
    DaemonCall call([] { throw std::runtime_error("no daemon"); });
    EXPECT_THROW(call.wait([] { return false; }), std::runtime_error);
}

TEST(DaemonCall, StopsWaitingForWorkThatDoesNotEndAndLeavesIt)
{
    auto release = std::make_shared<std::promise<void>>();
    auto released = std::make_shared<std::shared_future<void>>(release->get_future().share());
    auto ended = std::make_shared<std::promise<void>>();
    std::future<void> end = ended->get_future();
    const auto begin = std::chrono::steady_clock::now();
    {
        DaemonCall call([released, ended] {
            released->wait(); // a daemon that does not answer
            ended->set_value();
        });
        EXPECT_FALSE(call.wait([] { return true; }));
        EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
    } // left to run on
    release->set_value();
    EXPECT_EQ(end.wait_for(std::chrono::seconds(10)), std::future_status::ready); // and it ends on its own
}
