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

constexpr std::size_t buffer_bytes = 1 << 20;        // shared by the lanes
constexpr std::size_t min_buffer_bytes = 256 << 10; // each lane's at least
constexpr std::size_t chunk_records = 1024; // decoded ahead of the sink

// A record is a header byte (the op, two flags), then LEB128 varints: the time, the address and the
// thread as differences from the previous record's (wrapping, zigzagged), the site, count, val, ret and
// stream (signed ones zigzagged), the kind when flagged, then holder and from (8 bytes each) when
// flagged. A typical event takes 10-14 bytes.
// A clock record (another lane's event) is the header byte `clock_op` and the time's difference.
constexpr std::uint8_t op_mask = 0x0f;
constexpr std::uint8_t clock_op = op_mask;
constexpr std::uint8_t has_kind = 0x10;
constexpr std::uint8_t has_holder = 0x20; // holder and from follow (16 bytes)
constexpr std::size_t max_record_bytes = 1 + 2 * 10 + 8 * 5 + 16;
constexpr std::size_t max_clock_bytes = 1 + 10;
static_assert(static_cast<std::uint8_t>(Op::move) < clock_op);

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

int open_temp(const std::string &dir)
{
    int fd = -1;
#ifdef O_TMPFILE
    fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
    if (fd < 0) { // no O_TMPFILE here: create, then unlink at once
        std::string path = dir + "/refblame-spill-XXXXXX";
        fd = ::mkostemp(path.data(), O_CLOEXEC);
        if (fd < 0)
            io_failed(dir, "create", errno);
        ::unlink(path.c_str());
    }
    return fd;
}

// One decoded record.
struct Record {
    std::uint8_t flags = 0;
    std::uint64_t time_ns = 0, obj = 0, holder = 0, from = 0;
    std::int32_t tid = 0, count = 0, val = 0, ret = 0;
    std::uint32_t site = 0, stream = 0, kind = 0;
};

// One lane's file read back sequentially through a buffer, its differences summed up.
class LaneReader {
public:
    LaneReader(int fd, std::uint64_t size, std::size_t buffer, const std::string &dir)
        : fd_(fd), size_(size), in_(buffer), dir_(dir)
    {
    }

    // The next record into `r`; false for a clock record (r.time_ns alone is set).
    bool next(Record &r)
    {
        fill(max_record_bytes);
        const char *p = in_.data() + used_;
        r.flags = static_cast<std::uint8_t>(*p++);
        time_ns_ += unzig(get(p));
        r.time_ns = time_ns_;
        if ((r.flags & op_mask) == clock_op) {
            used_ = static_cast<std::size_t>(p - in_.data());
            return false;
        }
        obj_ += unzig(get(p));
        const auto tid_step = static_cast<std::uint32_t>(unzig32(get(p)));
        tid_ = static_cast<std::int32_t>(static_cast<std::uint32_t>(tid_) + tid_step);
        r.obj = obj_;
        r.tid = tid_;
        r.site = static_cast<std::uint32_t>(get(p));
        r.count = unzig32(get(p));
        r.val = unzig32(get(p));
        r.ret = unzig32(get(p));
        r.stream = static_cast<std::uint32_t>(get(p));
        r.kind = r.flags & has_kind ? static_cast<std::uint32_t>(get(p)) : 0;
        r.holder = r.from = 0;
        if (r.flags & has_holder) {
            std::memcpy(&r.holder, p, 8);
            std::memcpy(&r.from, p + 8, 8);
            p += 16;
        }
        used_ = static_cast<std::size_t>(p - in_.data());
        return true;
    }

private:
    void fill(std::size_t need) // at least `need` unread bytes in `in_` (or all that is left)
    {
        if (have_ - used_ >= need)
            return;
        need = static_cast<std::size_t>(std::min<std::uint64_t>(need, have_ - used_ + (size_ - offset_)));
        std::memmove(in_.data(), in_.data() + used_, have_ - used_);
        have_ -= used_;
        used_ = 0;
        while (have_ < need) {
            ssize_t n = ::pread(fd_, in_.data() + have_, in_.size() - have_, static_cast<off_t>(offset_));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                io_failed(dir_, "read back", n < 0 ? errno : EIO);
            have_ += static_cast<std::size_t>(n);
            offset_ += static_cast<std::uint64_t>(n);
        }
    }

    int fd_;
    std::uint64_t size_, offset_ = 0;
    std::vector<char> in_;
    std::size_t have_ = 0, used_ = 0; // bytes in `in_`, bytes consumed
    const std::string &dir_;
    std::uint64_t time_ns_ = 0, obj_ = 0; // the previous record's
    std::int32_t tid_ = 0;
};

} // namespace

EventSpill::EventSpill(SiteIndex &sites, unsigned lanes)
    : sites_(sites), dir_(temp_dir()), lanes_(std::max(lanes, 1u)),
      lane_bytes_(std::max(buffer_bytes / lanes_.size(), min_buffer_bytes))
{
    try {
        for (Lane &lane : lanes_) {
            lane.fd = open_temp(dir_);
            lane.buffer.reserve(lane_bytes_);
        }
    } catch (...) {
        for (Lane &lane : lanes_)
            if (lane.fd >= 0)
                ::close(lane.fd);
        throw;
    }
}

EventSpill::~EventSpill()
{
    for (Lane &lane : lanes_)
        if (lane.fd >= 0)
            ::close(lane.fd);
}

std::uint64_t EventSpill::bytes() const
{
    std::uint64_t n = 0;
    for (const Lane &lane : lanes_)
        n += lane.written + lane.buffer.size();
    return n;
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
    const std::size_t own = lanes_.size() > 1 ? shard_of(e.pid, e.obj, static_cast<unsigned>(lanes_.size())) : 0;
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
        Lane &lane = lanes_[i];
        if (lane.buffer.size() + max_record_bytes > lane_bytes_)
            flush(lane);
        const std::size_t at = lane.buffer.size();
        lane.buffer.resize(at + (i == own ? max_record_bytes : max_clock_bytes));
        char *p = lane.buffer.data() + at;
        if (i != own) {
            *p++ = static_cast<char>(clock_op);
            p = put(p, zig(e.time_ns - lane.last_ns));
        } else {
            const auto flags = static_cast<std::uint8_t>(static_cast<std::uint8_t>(e.op) | (kind ? has_kind : 0) |
                                                         (holder ? has_holder : 0));
            *p++ = static_cast<char>(flags);
            p = put(p, zig(e.time_ns - lane.last_ns));
            p = put(p, zig(e.obj - lane.last_obj));
            // The thread's difference as a 32-bit one: the same thread in a row is 0.
            p = put(p, zig32(static_cast<std::int32_t>(static_cast<std::uint32_t>(e.tid) -
                                                       static_cast<std::uint32_t>(lane.last_tid))));
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
            lane.last_obj = e.obj;
            lane.last_tid = e.tid;
        }
        lane.buffer.resize(static_cast<std::size_t>(p - lane.buffer.data()));
        lane.last_ns = e.time_ns;
    }
    ++events_;
}

void EventSpill::add(const Loss &l)
{
    losses_.emplace_back(events_, l);
}

void EventSpill::flush(Lane &lane)
{
    std::size_t done = 0;
    while (done < lane.buffer.size()) {
        ssize_t n = ::pwrite(lane.fd, lane.buffer.data() + done, lane.buffer.size() - done,
                             static_cast<off_t>(lane.written + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            io_failed(dir_, "write", n < 0 ? errno : ENOSPC);
        done += static_cast<std::size_t>(n);
    }
    lane.written += lane.buffer.size();
    lane.buffer.clear();
}

void EventSpill::seal()
{
    for (Lane &lane : lanes_)
        if (!lane.buffer.empty())
            flush(lane);
}

void EventSpill::replay(EventSink &sink, unsigned shard, unsigned shards)
{
    seal();
    // Shard i of as many shards as lanes: lane i alone. Anything else: every lane in step, each event's
    // record in one of them and its time in the others.
    const bool own_lane = lanes_.size() > 1 && shards == lanes_.size();
    std::vector<LaneReader> readers;
    const std::size_t reader_bytes = std::max(buffer_bytes / lanes_.size(), min_buffer_bytes);
    for (std::size_t i = 0; i < lanes_.size(); ++i)
        if (!own_lane || i == shard)
            readers.emplace_back(lanes_[i].fd, lanes_[i].written, reader_bytes, dir_);
    // Records are decoded a chunk at a time, so that the sink can be told of its events ahead
    // (EventSink::prefetch) before it gets them; other shards' records keep only their time.
    std::vector<Event> chunk(chunk_records);
    std::vector<std::uint8_t> other(chunk_records);
    std::vector<std::uint32_t> own; // indexes in `chunk` of this shard's events
    own.reserve(chunk_records);
    std::size_t next_loss = 0;
    Record r, clock;
    for (std::uint64_t base = 0; base < events_; base += chunk_records) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_records, events_ - base));
        own.clear();
        for (std::size_t k = 0; k < n; ++k) {
            Event &e = chunk[k];
            bool full = false;
            if (readers.size() == 1) {
                full = readers.front().next(r);
            } else {
                for (LaneReader &lane : readers) {
                    const bool is_full = lane.next(full ? clock : r);
                    if (is_full && full)
                        throw std::logic_error("event spill: two lanes hold one event's record");
                    full = full || is_full;
                }
            }
            e.time_ns = r.time_ns;
            if (!full && !own_lane)
                throw std::logic_error("event spill: no lane holds an event's record");
            const SiteKey *site = full ? &sites_.key(r.site) : nullptr;
            other[k] = !full || (!own_lane && shards > 1 && shard_of(site->pid, r.obj, shards) != shard);
            if (other[k])
                continue;
            own.push_back(static_cast<std::uint32_t>(k));
            e.obj = r.obj;
            e.holder = r.holder;
            e.from = r.from;
            e.site = r.site;
            e.caller_site = sites_.caller_of(r.site);
            e.pid = site->pid;
            e.caller = site->address;
            e.stack_id = site->stack_id;
            e.tid = r.tid;
            e.count = r.count;
            e.val = r.val;
            e.ret = r.ret;
            e.stream = r.stream;
            e.op = static_cast<Op>(r.flags & op_mask);
            e.kind = r.kind ? std::string_view(kinds_[r.kind - 1]) : std::string_view{};
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
