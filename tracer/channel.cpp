// channel.cpp: one userspace channel (per-PID buffers) of a session: its geometry, loss policy, events, contexts and loss counters.
#include "channel.hpp"

#include "lttng_ctl.hpp"
#include "lttng_error.hpp"
#include "session.hpp"
#include "user_error.hpp"

#include <cstdlib>
#include <cstring>

namespace refblame::tracer {

namespace {

lttng_domain ust_per_pid_domain()
{
    lttng_domain domain{};
    domain.type = LTTNG_DOMAIN_UST;
    domain.buf_type = LTTNG_BUFFER_PER_PID;
    return domain;
}

void copy_name(char (&dst)[LTTNG_SYMBOL_NAME_LEN], const std::string &src, const char *what)
{
    if (src.size() >= sizeof dst)
        throw UserError(std::string("LTTng: ") + what + " name too long: " + src);
    std::memcpy(dst, src.c_str(), src.size() + 1);
}

struct ChannelDeleter {
    void operator()(lttng_channel *c) const { ctl().lttng_channel_destroy(c); }
};
struct EventDeleter {
    void operator()(lttng_event *e) const { ctl().lttng_event_destroy(e); }
};

} // namespace

void UstChannel::HandleDeleter::operator()(lttng_handle *h) const
{
    ctl().lttng_destroy_handle(h);
}

UstChannel::UstChannel(const Session &session, std::string name, ChannelGeometry geometry, LossPolicy policy)
    : session_(session.name()), name_(std::move(name))
{
    lttng_domain domain = ust_per_pid_domain();
    handle_.reset(ctl().lttng_create_handle(session_.c_str(), &domain));
    if (!handle_)
        throw UserError("LTTng: cannot create a handle on session " + session_);

    std::unique_ptr<lttng_channel, ChannelDeleter> channel(ctl().lttng_channel_create(&domain));
    if (!channel)
        throw UserError("LTTng: cannot allocate channel " + name_);
    copy_name(channel->name, name_, "channel");
    channel->attr.overwrite = 0;
    channel->attr.subbuf_size = geometry.subbuf_size;
    channel->attr.num_subbuf = geometry.num_subbuf;
    // -1: a writer facing a full buffer waits as long as it takes (it must
    // also run with LTTNG_UST_ALLOW_BLOCKING=1); 0: the event is discarded.
    check_lttng(ctl().lttng_channel_set_blocking_timeout(channel.get(), policy == LossPolicy::block ? -1 : 0),
                "setting the blocking timeout of channel " + name_);
    check_lttng(ctl().lttng_enable_channel(handle_.get(), channel.get()),
                "creating channel " + name_ + " (" + std::to_string(geometry.num_subbuf) + " x " +
                    std::to_string(geometry.subbuf_size) + " bytes per CPU)");
}

UstChannel::~UstChannel() = default;

void UstChannel::enable_events(const std::string &pattern)
{
    std::unique_ptr<lttng_event, EventDeleter> event(ctl().lttng_event_create());
    if (!event)
        throw UserError("LTTng: cannot allocate event " + pattern);
    event->type = LTTNG_EVENT_TRACEPOINT;
    copy_name(event->name, pattern, "event");
    event->loglevel_type = LTTNG_EVENT_LOGLEVEL_ALL;
    event->loglevel = -1;
    check_lttng(ctl().lttng_enable_event(handle_.get(), event.get(), name_.c_str()), "enabling events " + pattern);
}

void UstChannel::add_context(lttng_event_context_type type, const std::string &label)
{
    lttng_event_context context{};
    context.ctx = type;
    check_lttng(ctl().lttng_add_context(handle_.get(), &context, nullptr, name_.c_str()),
                "adding context " + label + " to channel " + name_);
}

LossCounts UstChannel::loss_counts() const
{
    lttng_channel *channels = nullptr;
    int n = ctl().lttng_list_channels(handle_.get(), &channels);
    check_lttng(n, "listing the channels of session " + session_);
    std::unique_ptr<lttng_channel, decltype(&std::free)> owned(channels, &std::free);
    for (int i = 0; i < n; i++) {
        if (name_ != channels[i].name)
            continue;
        LossCounts counts;
        check_lttng(ctl().lttng_channel_get_discarded_event_count(&channels[i], &counts.discarded_events),
                    "reading the discarded event count of channel " + name_);
        check_lttng(ctl().lttng_channel_get_lost_packet_count(&channels[i], &counts.lost_packets),
                    "reading the lost packet count of channel " + name_);
        return counts;
    }
    throw UserError("LTTng: channel " + name_ + " is missing from session " + session_);
}

} // namespace refblame::tracer
