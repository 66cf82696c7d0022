// event_spill.cpp: record encoding, the unlinked temp file, buffered writes and sequential buffered reads.
#include "replay/event_spill.hpp"

#include "replay/shards.hpp"

#include "user_error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace refblame::analyzer::replay {

namespace {

constexpr std::size_t buffer_bytes = 1 << 20;
constexpr std::size_t chunk_records = 1024; // decoded ahead of the sink

// A record is its fixed part, then the wide part when the flag says so, then holder and from when the
// flag says so. Most events need the fixed part alone: times go forward by less than 4 s, ret fits a
// byte, there are fewer than 65536 streams, and only obj_init has a kind.
constexpr std::uint8_t op_mask = 0x0f;
constexpr std::uint8_t has_wide = 0x10;   // Wide follows (the time and the fields the fixed part cannot hold)
constexpr std::uint8_t has_holder = 0x20; // holder and from follow (16 bytes)
constexpr std::size_t holder_bytes = 16;

// The fixed part of a record, in file order (memcpy'd: no alignment assumed).
struct Record {
    std::uint64_t obj;
    std::uint32_t dt; // time_ns minus the previous record's; 0 with has_wide (the time is in Wide)
    std::uint32_t site;
    std::int32_t tid;
    std::int32_t count;
    std::int32_t val;
    std::uint16_t stream;
    std::int8_t ret;
    std::uint8_t op_flags; // op | flags
};
constexpr std::size_t record_bytes = 32;
static_assert(sizeof(Record) == record_bytes);

struct Wide {
    std::uint64_t time_ns;
    std::uint32_t stream;
    std::int32_t ret;
    std::uint32_t kind; // 0: none
    std::uint32_t pad;
};
constexpr std::size_t wide_bytes = 24;
static_assert(sizeof(Wide) == wide_bytes);
static_assert(static_cast<std::uint8_t>(Op::move) <= op_mask);

std::string temp_dir()
{
    const char *t = std::getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

[[noreturn]] void io_failed(const std::string &dir, const char *what, int err)
{
    throw UserError("cannot " + std::string(what) + " the analysis's temporary file in " + dir + ": " +
                    std::strerror(err) +
                    " (it holds about 35 bytes per event; set TMPDIR to a directory with room)");
}

} // namespace

EventSpill::EventSpill(SiteIndex &sites) : sites_(sites), dir_(temp_dir())
{
#ifdef O_TMPFILE
    fd_ = ::open(dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
    if (fd_ < 0) { // no O_TMPFILE here: create, then unlink at once
        std::string path = dir_ + "/refblame-spill-XXXXXX";
        fd_ = ::mkostemp(path.data(), O_CLOEXEC);
        if (fd_ < 0)
            io_failed(dir_, "create", errno);
        ::unlink(path.c_str());
    }
    buffer_.reserve(buffer_bytes);
}

EventSpill::~EventSpill()
{
    if (fd_ >= 0)
        ::close(fd_);
}

std::uint32_t EventSpill::kind_id(std::string_view kind)
{
    if (kind.empty())
        return 0;
    if (last_kind_id_ != 0 && kind == last_kind_)
        return last_kind_id_;
    auto it = kind_ids_.find(kind);
    if (it == kind_ids_.end()) {
        kinds_.emplace_back(kind); // a deque: the key views stay valid
        it = kind_ids_.emplace(std::string_view(kinds_.back()), static_cast<std::uint32_t>(kinds_.size())).first;
    }
    last_kind_ = it->first;
    last_kind_id_ = it->second;
    return it->second;
}

void EventSpill::add(const Event &e)
{
    if (e.site == 0)
        throw std::logic_error("event spill: event without a site id");
    Wide w{e.time_ns, e.stream, e.ret, e.op == Op::obj_init ? kind_id(e.kind) : 0, 0};
    // A time going back wraps around to a difference that does not fit either.
    const bool wide = e.time_ns - last_ns_ > UINT32_MAX || e.stream > UINT16_MAX ||
                      e.ret < INT8_MIN || e.ret > INT8_MAX || w.kind != 0;
    const bool holder = e.holder != 0 || e.from != 0;
    Record r{};
    r.obj = e.obj;
    r.dt = wide ? 0 : static_cast<std::uint32_t>(e.time_ns - last_ns_);
    r.site = e.site;
    r.tid = e.tid;
    r.count = e.count;
    r.val = e.val;
    r.stream = wide ? 0 : static_cast<std::uint16_t>(e.stream);
    r.ret = wide ? 0 : static_cast<std::int8_t>(e.ret);
    r.op_flags = static_cast<std::uint8_t>(static_cast<std::uint8_t>(e.op) | (wide ? has_wide : 0) |
                                           (holder ? has_holder : 0));
    last_ns_ = e.time_ns;
    if (buffer_.size() + record_bytes + wide_bytes + holder_bytes > buffer_bytes)
        flush();
    std::size_t at = buffer_.size();
    buffer_.resize(at + record_bytes + (wide ? wide_bytes : 0) + (holder ? holder_bytes : 0));
    std::memcpy(buffer_.data() + at, &r, record_bytes);
    at += record_bytes;
    if (wide) {
        std::memcpy(buffer_.data() + at, &w, wide_bytes);
        at += wide_bytes;
    }
    if (holder) {
        std::memcpy(buffer_.data() + at, &e.holder, 8);
        std::memcpy(buffer_.data() + at + 8, &e.from, 8);
    }
    ++events_;
}

void EventSpill::add(const Loss &l)
{
    losses_.emplace_back(events_, l);
}

void EventSpill::flush()
{
    std::size_t done = 0;
    while (done < buffer_.size()) {
        ssize_t n = ::pwrite(fd_, buffer_.data() + done, buffer_.size() - done,
                             static_cast<off_t>(written_ + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            io_failed(dir_, "write", n < 0 ? errno : ENOSPC);
        done += static_cast<std::size_t>(n);
    }
    written_ += buffer_.size();
    buffer_.clear();
}

void EventSpill::seal()
{
    if (!buffer_.empty())
        flush();
}

void EventSpill::replay(EventSink &sink, unsigned shard, unsigned shards)
{
    seal();
    std::vector<char> in(buffer_bytes);
    std::size_t have = 0, used = 0; // bytes in `in`, bytes consumed
    std::uint64_t offset = 0;
    const auto fill = [&](std::size_t need) { // at least `need` unread bytes in `in`, or throw
        if (have - used >= need)
            return;
        std::memmove(in.data(), in.data() + used, have - used);
        have -= used;
        used = 0;
        while (have < need) {
            ssize_t n = ::pread(fd_, in.data() + have, in.size() - have, static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                io_failed(dir_, "read back", n < 0 ? errno : EIO);
            have += static_cast<std::size_t>(n);
            offset += static_cast<std::uint64_t>(n);
        }
    };
    // Records are decoded a chunk at a time, so that the sink can be told of its events ahead
    // (EventSink::prefetch) before it gets them; other shards' records keep only their time.
    std::vector<Event> chunk(chunk_records);
    std::vector<std::uint8_t> other(chunk_records);
    std::vector<std::uint32_t> own; // indexes in `chunk` of this shard's events
    own.reserve(chunk_records);
    std::size_t next_loss = 0;
    std::uint64_t time_ns = 0; // the previous record's
    for (std::uint64_t base = 0; base < events_; base += chunk_records) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_records, events_ - base));
        own.clear();
        for (std::size_t k = 0; k < n; ++k) {
            fill(record_bytes);
            Record r;
            std::memcpy(&r, in.data() + used, record_bytes);
            used += record_bytes;
            Wide w{time_ns + r.dt, r.stream, r.ret, 0, 0};
            if (r.op_flags & has_wide) {
                fill(wide_bytes);
                std::memcpy(&w, in.data() + used, wide_bytes);
                used += wide_bytes;
            }
            time_ns = w.time_ns;
            Event &e = chunk[k];
            e.time_ns = time_ns;
            const SiteKey &site = sites_.key(r.site);
            other[k] = shards > 1 && shard_of(site.pid, r.obj, shards) != shard;
            if (other[k]) {
                if (r.op_flags & has_holder) {
                    fill(holder_bytes);
                    used += holder_bytes;
                }
                continue;
            }
            own.push_back(static_cast<std::uint32_t>(k));
            e.obj = r.obj;
            e.site = r.site;
            e.caller_site = sites_.caller_of(r.site);
            e.pid = site.pid;
            e.caller = site.address;
            e.stack_id = site.stack_id;
            e.tid = r.tid;
            e.count = r.count;
            e.val = r.val;
            e.ret = w.ret;
            e.stream = w.stream;
            e.op = static_cast<Op>(r.op_flags & op_mask);
            e.kind = w.kind ? std::string_view(kinds_[w.kind - 1]) : std::string_view{};
            e.holder = e.from = 0;
            if (r.op_flags & has_holder) {
                fill(holder_bytes);
                std::memcpy(&e.holder, in.data() + used, 8);
                std::memcpy(&e.from, in.data() + used + 8, 8);
                used += holder_bytes;
            }
        }
        std::size_t j = 0; // own events handed on so far
        for (std::size_t k = 0; k < n; ++k) {
            while (next_loss < losses_.size() && losses_[next_loss].first <= base + k)
                sink.on_loss(losses_[next_loss++].second);
            if (other[k]) {
                sink.on_clock(chunk[k].time_ns);
                continue;
            }
            prefetch_ahead(sink, own.size(), j, [&](std::size_t o) -> const Event & { return chunk[own[o]]; });
            sink.on_event(chunk[k]);
            ++j;
        }
    }
    while (next_loss < losses_.size())
        sink.on_loss(losses_[next_loss++].second);
}

} // namespace refblame::analyzer::replay
