// lttng_ctl_test.cpp: liblttng-ctl loaded at run time: every function the tracer calls is found, once, and works.
#include "lttng_ctl.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace refblame::tracer;

TEST(LttngCtl, FindsEveryFunctionTheTracerCallsAndLoadsThemOnce)
{
    const LttngCtl &c = ctl();
#define REFBLAME_EXPECT_FOUND(f) EXPECT_NE(c.f, nullptr) << #f;
    REFBLAME_LTTNG_CTL_FUNCTIONS(REFBLAME_EXPECT_FOUND)
#undef REFBLAME_EXPECT_FOUND
    EXPECT_EQ(&ctl(), &c);
    // A call through the table reaches the library: its text for an error code it defines.
    const char *text = c.lttng_strerror(-LTTNG_ERR_NO_SESSIOND);
    ASSERT_NE(text, nullptr);
    EXPECT_NE(std::string(text).find("daemon"), std::string::npos) << text;
}
