// lttng_ctl_test.cpp: liblttng-ctl loaded at run time, when first asked: every function the tracer calls is found and works.
#include "lttng_ctl.hpp"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <string>

using namespace refblame::tracer;

namespace {

// Whether liblttng-ctl is in this process (RTLD_NOLOAD: looked up, never loaded by the asking).
bool loaded()
{
    void *h = dlopen("liblttng-ctl.so.0", RTLD_NOW | RTLD_NOLOAD);
    if (h)
        dlclose(h);
    return h != nullptr;
}

} // namespace

TEST(LttngCtl, IsLoadedOnlyWhenFirstAskedAndFindsEveryFunctionTheTracerCalls)
{
    // This program links the tracer and not liblttng-ctl, as refblame does: the library comes with ctl().
    EXPECT_FALSE(loaded());
    const LttngCtl &c = ctl();
    EXPECT_TRUE(loaded());
#define REFBLAME_EXPECT_FOUND(f) EXPECT_NE(c.f, nullptr) << #f;
    REFBLAME_LTTNG_CTL_FUNCTIONS(REFBLAME_EXPECT_FOUND)
#undef REFBLAME_EXPECT_FOUND
    // A call through the table reaches the library: its text for an error code it defines.
    const char *text = c.lttng_strerror(-LTTNG_ERR_NO_SESSIOND);
    ASSERT_NE(text, nullptr);
    EXPECT_NE(std::string(text).find("daemon"), std::string::npos) << text;
}
