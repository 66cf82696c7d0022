// bench_session.cpp: RAII over one LTTng-UST recording session that traces only this process (liblttng-ctl), for the benchmarks.
#include "bench_session.hpp"

#include <lttng/lttng.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace refblame::bench {

namespace {

constexpr const char *kChannel = "bench";

void check(int rc, const std::string &what)
{
    if (rc < 0)
        throw std::runtime_error("LTTng: " + what + ": " + lttng_strerror(rc));
}

void copy_name(char *dst, std::size_t size, const std::string &src)
{
    if (src.size() >= size)
        throw std::runtime_error("LTTng: name too long: " + src);
    std::memcpy(dst, src.c_str(), src.size() + 1);
}

lttng_domain ust_per_pid()
{
    lttng_domain domain{};
    domain.type = LTTNG_DOMAIN_UST;
    domain.buf_type = LTTNG_BUFFER_PER_PID;
    return domain;
}

std::string unique_name()
{
    auto ns = std::chrono::steady_clock::now().time_since_epoch().count();
    return "refblame-bench-" + std::to_string(getpid()) + "-" + std::to_string(ns);
}

void track_only_this_process(const std::string &session)
{
    lttng_process_attr_tracker_handle *raw = nullptr;
    lttng_error_code rc = lttng_session_get_tracker_handle(session.c_str(), LTTNG_DOMAIN_UST,
                                                           LTTNG_PROCESS_ATTR_VIRTUAL_PROCESS_ID, &raw);
    if (rc != LTTNG_OK)
        check(-static_cast<int>(rc), "getting the vpid tracker of session " + session);
    std::unique_ptr<lttng_process_attr_tracker_handle, decltype(&lttng_process_attr_tracker_handle_destroy)> tracker(
        raw, &lttng_process_attr_tracker_handle_destroy);
    if (lttng_process_attr_tracker_handle_set_tracking_policy(tracker.get(), LTTNG_TRACKING_POLICY_INCLUDE_SET) !=
            LTTNG_PROCESS_ATTR_TRACKER_HANDLE_STATUS_OK ||
        lttng_process_attr_virtual_process_id_tracker_handle_add_pid(tracker.get(), getpid()) !=
            LTTNG_PROCESS_ATTR_TRACKER_HANDLE_STATUS_OK)
        throw std::runtime_error("LTTng: cannot restrict session " + session + " to vpid " +
                                 std::to_string(getpid()));
}

} // namespace

void BenchSession::HandleDeleter::operator()(lttng_handle *h) const
{
    lttng_destroy_handle(h);
}

BenchSession::BenchSession(const SessionConfig &config) : name_(unique_name())
{
    std::unique_ptr<lttng_session_descriptor, decltype(&lttng_session_descriptor_destroy)> descriptor(
        lttng_session_descriptor_local_create(name_.c_str(), config.output.c_str()),
        &lttng_session_descriptor_destroy);
    if (!descriptor)
        throw std::runtime_error("LTTng: bad output directory " + config.output.string() + " (must be absolute)");
    check(lttng_create_session_ext(descriptor.get()), "creating session " + name_);
    alive_ = true;

    lttng_domain domain = ust_per_pid();
    handle_.reset(lttng_create_handle(name_.c_str(), &domain));
    if (!handle_)
        throw std::runtime_error("LTTng: cannot create a handle on session " + name_);

    std::unique_ptr<lttng_channel, decltype(&lttng_channel_destroy)> channel(lttng_channel_create(&domain),
                                                                             &lttng_channel_destroy);
    if (!channel)
        throw std::runtime_error("LTTng: cannot allocate a channel");
    copy_name(channel->name, sizeof channel->name, kChannel);
    channel->attr.overwrite = 0;
    channel->attr.subbuf_size = config.subbuf_size;
    channel->attr.num_subbuf = config.num_subbuf;
    channel->attr.tracefile_size = config.tracefile_size;
    channel->attr.tracefile_count = config.tracefile_count;
    check(lttng_channel_set_blocking_timeout(channel.get(), config.blocking ? -1 : 0), "setting the blocking timeout");
    check(lttng_enable_channel(handle_.get(), channel.get()), "creating channel of session " + name_);
    track_only_this_process(name_);

    // The contexts `refblame record` adds: vtid only (vpid comes from the per-PID trace).
    for (auto type : {LTTNG_EVENT_CONTEXT_VTID}) {
        lttng_event_context context{};
        context.ctx = type;
        check(lttng_add_context(handle_.get(), &context, nullptr, kChannel), "adding a context");
    }
    for (const auto &pattern : config.events)
        enable(pattern);
}

BenchSession::~BenchSession()
{
    if (!alive_)
        return;
    int rc = lttng_destroy_session(name_.c_str());
    if (rc < 0)
        std::fprintf(stderr, "bench: warning: could not destroy LTTng session %s: %s\n", name_.c_str(),
                     lttng_strerror(rc));
}

void BenchSession::start()
{
    check(lttng_start_tracing(name_.c_str()), "starting session " + name_);
}

void BenchSession::stop()
{
    check(lttng_stop_tracing(name_.c_str()), "stopping session " + name_);
}

void BenchSession::enable(const std::string &pattern)
{
    std::unique_ptr<lttng_event, decltype(&lttng_event_destroy)> event(lttng_event_create(), &lttng_event_destroy);
    if (!event)
        throw std::runtime_error("LTTng: cannot allocate event " + pattern);
    event->type = LTTNG_EVENT_TRACEPOINT;
    copy_name(event->name, sizeof event->name, pattern);
    event->loglevel_type = LTTNG_EVENT_LOGLEVEL_ALL;
    event->loglevel = -1;
    check(lttng_enable_event(handle_.get(), event.get(), kChannel), "enabling " + pattern);
}

void BenchSession::disable(const std::string &pattern)
{
    check(lttng_disable_event(handle_.get(), pattern.c_str(), kChannel), "disabling " + pattern);
}

LossCounts BenchSession::loss_counts() const
{
    lttng_channel *channels = nullptr;
    int n = lttng_list_channels(handle_.get(), &channels);
    check(n, "listing the channels of session " + name_);
    std::unique_ptr<lttng_channel, decltype(&std::free)> owned(channels, &std::free);
    LossCounts counts;
    for (int i = 0; i < n; i++) {
        if (std::strcmp(channels[i].name, kChannel) != 0)
            continue;
        check(lttng_channel_get_discarded_event_count(&channels[i], &counts.discarded_events), "discarded count");
        check(lttng_channel_get_lost_packet_count(&channels[i], &counts.lost_packets), "lost packet count");
    }
    return counts;
}

void BenchSession::destroy()
{
    if (!alive_)
        return;
    alive_ = false;
    handle_.reset();
    lttng_destruction_handle *raw = nullptr;
    check(lttng_destroy_session_ext(name_.c_str(), &raw), "destroying session " + name_);
    std::unique_ptr<lttng_destruction_handle, decltype(&lttng_destruction_handle_destroy)> handle(
        raw, &lttng_destruction_handle_destroy);
    if (lttng_destruction_handle_wait_for_completion(handle.get(), -1) != LTTNG_DESTRUCTION_HANDLE_STATUS_COMPLETED)
        throw std::runtime_error("LTTng: waiting for session " + name_ + " to be destroyed failed");
}

} // namespace refblame::bench
