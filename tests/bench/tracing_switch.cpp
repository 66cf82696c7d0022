// tracing_switch.cpp: bench_ops' one session on itself, whose refblame:* and anchor events are switched on and off between benchmarks.
#include "tracing_switch.hpp"

#include <refblame/ref.h>

#include "anchor_tp.h"

#include <chrono>
#include <exception>
#include <memory>
#include <thread>

namespace refblame::bench {

namespace {

const char *const kPatterns[] = {"refblame:*", "refblame_bench_anchor:*"};

SessionConfig g_config;
std::unique_ptr<BenchSession> g_session;
bool g_enabled = false;

int state_of(const lttng_ust_tracepoint &tp)
{
    return __atomic_load_n(&tp.state, __ATOMIC_RELAXED);
}

// Every tracepoint a benchmark loop fires is in the wanted state.
bool tracepoints_are(bool on)
{
    const lttng_ust_tracepoint *tps[] = {
        &lttng_ust_tracepoint_refblame___ref_mod, &lttng_ust_tracepoint_refblame___ref_freeze,
        &lttng_ust_tracepoint_refblame_bench_anchor___ref_mod, &lttng_ust_tracepoint_refblame_bench_anchor___ref_freeze};
    for (const auto *tp : tps)
        if ((state_of(*tp) != 0) != on)
            return false;
    return true;
}

bool wait_until(bool on, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!tracepoints_are(on)) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

} // namespace

void configure_tracing(const SessionConfig &config)
{
    g_config = config;
}

SwitchResult set_tracing(bool on, std::string &why)
{
    bool toggled = false;
    try {
        if (on && !g_session) {
            g_session = std::make_unique<BenchSession>(g_config);
            g_session->start();
        }
        toggled = g_session && on != g_enabled;
        if (toggled) {
            for (const char *pattern : kPatterns) {
                if (on)
                    g_session->enable(pattern);
                else
                    g_session->disable(pattern);
            }
            g_enabled = on;
        }
    } catch (const std::exception &e) {
        why = e.what();
        return SwitchResult::failed;
    }
    if (on) {
        if (wait_until(true, std::chrono::seconds(10)))
            return SwitchResult::ok;
        why = "the session is started but the tracepoints stayed disabled in this process "
              "(is a session daemon running, and is this process registered with it?)";
        return SwitchResult::failed;
    }
    // Only a change we just asked for takes time to reach this process.
    if (wait_until(false, std::chrono::seconds(toggled ? 5 : 0)))
        return SwitchResult::ok;
    why = "another LTTng session enables refblame:* or the anchor in this process";
    return SwitchResult::foreign;
}

bool finish_tracing(LossCounts &counts)
{
    if (!g_session)
        return false;
    g_session->stop();
    counts = g_session->loss_counts();
    g_session->destroy();
    g_session.reset();
    g_enabled = false;
    return true;
}

} // namespace refblame::bench
