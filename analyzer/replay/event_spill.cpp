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

// A record is a header byte (the op, two flags), then LEB128 varints: the time, the address and the
// thread as differences from the previous record's (wrapping, zigzagged), the site, count, val, ret and
// stream (signed ones zigzagged), the kind when flagged, then holder and from (8 bytes each) when
// flagged. A typical event takes 10-14 bytes.
constexpr std::uint8_t op_mask = 0x0f;
constexpr std::uint8_t has_kind = 0x10;
constexpr std::uint8_t has_holder = 0x20; // holder and from follow (16 bytes)
constexpr std::size_t max_record_bytes = 1 + 2 * 10 + 8 * 5 + 16;
static_assert(static_cast<std::uint8_t>(Op::move) <= op_mask);

char *put(char *p, std::uint64_t v)
{
    while (v >= 0x80) {
        *p++ = static_cast<char>(v | 0x80);
        v >>= 7;
    }
    *p++ = static_cast<char>(v);
    return p;
}

std::uint64_t get(const char *&p)
{
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        const auto b = static_cast<std::uint8_t>(*p++);
        v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    throw std::logic_error("event spill: a varint longer than 64 bits");
}

std::uint64_t zig(std::uint64_t d) { return d << 1 ^ (0 - (d >> 63)); } // a wrapped difference, small either way
std::uint64_t unzig(std::uint64_t z) { return z >> 1 ^ (0 - (z & 1)); }
std::uint64_t zig32(std::int32_t v) { return zig(static_cast<std::uint64_t>(static_cast<std::int64_t>(v))); }
std::int32_t unzig32(std::uint64_t z) { return static_cast<std::int32_t>(static_cast<std::int64_t>(unzig(z))); }

std::string temp_dir()
{
    const char *t = std::getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

[[noreturn]] void io_failed(const std::string &dir, const char *what, int err)
{
    throw UserError("cannot " + std::string(what) + " the analysis's temporary file in " + dir + ": " +
                    std::strerror(err) +
                    " (it holds about 15 bytes per event; set TMPDIR to a directory with room)");
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
    const std::uint32_t kind = e.op == Op::obj_init ? kind_id(e.kind) : 0;
    const bool holder = e.holder != 0 || e.from != 0;
    if (buffer_.size() + max_record_bytes > buffer_bytes)
        flush();
    const std::size_t at = buffer_.size();
    buffer_.resize(at + max_record_bytes);
    char *p = buffer_.data() + at;
    *p++ = static_cast<char>(static_cast<std::uint8_t>(e.op) | (kind ? has_kind : 0) | (holder ? has_holder : 0));
    p = put(p, zig(e.time_ns - last_ns_));
    p = put(p, zig(e.obj - last_obj_));
    // The thread's difference as a 32-bit one: the same thread in a row is 0.
    p = put(p, zig32(static_cast<std::int32_t>(static_cast<std::uint32_t>(e.tid) - static_cast<std::uint32_t>(last_tid_))));
    p = put(p, e.site);
    p = put(p, zig32(e.count));
    p = put(p, zig32(e.val));
    p = put(p, zig32(e.ret));
    p = put(p, e.stream);
    if (kind)
        p = put(p, kind);
    if (holder) {
        std::memcpy(p, &e.holder, 8);
        std::memcpy(p + 8, &e.from, 8);
        p += 16;
    }
    buffer_.resize(static_cast<std::size_t>(p - buffer_.data()));
    last_ns_ = e.time_ns;
    last_obj_ = e.obj;
    last_tid_ = e.tid;
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
    const auto fill = [&](std::size_t need) { // at least `need` unread bytes in `in` (or all that is left)
        if (have - used >= need)
            return;
        need = static_cast<std::size_t>(std::min<std::uint64_t>(need, have - used + (written_ - offset)));
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
    std::uint64_t time_ns = 0, obj = 0; // the previous record's
    std::int32_t tid = 0;
    for (std::uint64_t base = 0; base < events_; base += chunk_records) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_records, events_ - base));
        own.clear();
        for (std::size_t k = 0; k < n; ++k) {
            fill(max_record_bytes);
            const char *p = in.data() + used;
            const auto flags = static_cast<std::uint8_t>(*p++);
            time_ns += unzig(get(p));
            obj += unzig(get(p));
            tid = static_cast<std::int32_t>(static_cast<std::uint32_t>(tid) + static_cast<std::uint32_t>(unzig32(get(p))));
            const auto site_id = static_cast<std::uint32_t>(get(p));
            const std::int32_t count = unzig32(get(p));
            const std::int32_t val = unzig32(get(p));
            const std::int32_t ret = unzig32(get(p));
            const auto stream = static_cast<std::uint32_t>(get(p));
            const auto kind = flags & has_kind ? static_cast<std::uint32_t>(get(p)) : 0;
            Event &e = chunk[k];
            e.holder = e.from = 0;
            if (flags & has_holder) {
                std::memcpy(&e.holder, p, 8);
                std::memcpy(&e.from, p + 8, 8);
                p += 16;
            }
            used = static_cast<std::size_t>(p - in.data());
            e.time_ns = time_ns;
            const SiteKey &site = sites_.key(site_id);
            other[k] = shards > 1 && shard_of(site.pid, obj, shards) != shard;
            if (other[k])
                continue;
            own.push_back(static_cast<std::uint32_t>(k));
            e.obj = obj;
            e.site = site_id;
            e.caller_site = sites_.caller_of(site_id);
            e.pid = site.pid;
            e.caller = site.address;
            e.stack_id = site.stack_id;
            e.tid = tid;
            e.count = count;
            e.val = val;
            e.ret = ret;
            e.stream = stream;
            e.op = static_cast<Op>(flags & op_mask);
            e.kind = kind ? std::string_view(kinds_[kind - 1]) : std::string_view{};
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
