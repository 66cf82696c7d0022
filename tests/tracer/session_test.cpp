// session_test.cpp: the liblttng-ctl RAII wrappers against the real session daemon: sessions never outlive their owner, channel errors are clear.
#include "channel.hpp"
#include "session.hpp"

#include "user_error.hpp"

#include <gtest/gtest.h>

#include <lttng/lttng.h>

#include <cstdlib>
#include <filesystem>

using namespace refblame::tracer;
namespace fs = std::filesystem;

namespace {

bool session_exists(const std::string &name)
{
    lttng_session *sessions = nullptr;
    int n = lttng_list_sessions(&sessions);
    bool found = false;
    for (int i = 0; i < n; i++)
        found = found || name == sessions[i].name;
    std::free(sessions);
    return found;
}

class SessionTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_EQ(lttng_session_daemon_alive(), 1) << "needs the sessiond fixture";
        char tmpl[] = "/tmp/rb-session-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path dir;
};

} // namespace

TEST_F(SessionTest, DestroyRemovesTheSessionFromTheDaemonWithOrWithoutWaitingForItsTeardown)
{
    for (bool wait : {false, true}) {
        std::string name = unique_session_name();
        Session session(name, dir);
        EXPECT_TRUE(session_exists(name));
        UstChannel channel(session, "refblame", {4096, 4}, LossPolicy::block);
        channel.enable_events("refblame:*");
        channel.add_context(LTTNG_EVENT_CONTEXT_VPID, "vpid");
        session.start();
        session.stop();
        LossCounts counts = channel.loss_counts();
        EXPECT_EQ(counts.discarded_events, 0u);
        EXPECT_EQ(counts.lost_packets, 0u);
        session.destroy(wait);
        EXPECT_FALSE(session_exists(name)) << "wait " << wait;
    }
}

TEST_F(SessionTest, ASessionLeftByAnErrorPathIsDestroyedByItsOwner)
{
    std::string name = unique_session_name();
    {
        Session session(name, dir);
        UstChannel channel(session, "refblame", {4096, 4}, LossPolicy::block);
        session.start();
        ASSERT_TRUE(session_exists(name));
    }
    EXPECT_FALSE(session_exists(name));
}

TEST_F(SessionTest, NamesAreUniquePerCall)
{
    EXPECT_NE(unique_session_name(), unique_session_name());
}

TEST_F(SessionTest, ABadChannelGeometryIsAUserErrorNamingTheChannel)
{
    std::string name = unique_session_name();
    Session session(name, dir);
    try {
        UstChannel channel(session, "refblame", {3000, 4}, LossPolicy::block);
        FAIL() << "LTTng accepted a sub-buffer size that is not a power of two";
    } catch (const refblame::UserError &e) {
        std::string what = e.what();
        EXPECT_NE(what.find("creating channel refblame (4 x 3000 bytes per CPU) failed"), std::string::npos) << what;
    }
}

TEST_F(SessionTest, ARelativeOutputPathIsRefused)
{
    EXPECT_THROW(Session(unique_session_name(), "relative/dir"), refblame::UserError);
}
