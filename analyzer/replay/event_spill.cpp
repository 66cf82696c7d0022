// event_spill.cpp: record encoding, the unlinked temp file, buffered writes and sequential buffered reads.
#include "replay/event_spill.hpp"

#include "replay/shards.hpp"

#include "user_error.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace refblame::analyzer::replay {

namespace {

constexpr std::size_t buffer_bytes = 1 << 20;       // shared by the lanes
constexpr std::size_t min_buffer_bytes = 64 << 10; // each lane's at least
constexpr std::size_t chunk_records = 1024; // decoded ahead of the sink

// A record is a header byte (the op, three flags), then LEB128 varints: the time, the address and the
// thread as differences from the previous record's (wrapping, zigzagged), the site, count, val, ret and
// stream (signed ones zigzagged), the kind when flagged, then holder and from (8 bytes each) when
// flagged. A typical event takes 10-14 bytes.
// A clock record (another lane's event) is the header byte `clock_op` and the time's difference.
// Either kind, flagged `has_passed`, first says how many events the lane passed over just before it
// and how much earlier than its own time the latest of every event added by then came (zigzagged: an
// event may come earlier than one before it). A `passed_op` record says that alone (the number, then
// that latest time as a difference from the previous record's): what a lane passed over last, written
// when a loss comes or the spill is sealed.
constexpr std::uint8_t op_mask = 0x0f;
constexpr std::uint8_t clock_op = op_mask;
constexpr std::uint8_t passed_op = op_mask - 1;
constexpr std::uint8_t has_kind = 0x10;
constexpr std::uint8_t has_holder = 0x20; // holder and from follow (16 bytes)
constexpr std::uint8_t has_passed = 0x40;
constexpr std::size_t max_passed_bytes = 2 * 10;
constexpr std::size_t max_record_bytes = 1 + max_passed_bytes + 2 * 10 + 8 * 5 + 16;
constexpr std::size_t max_clock_bytes = 1 + max_passed_bytes + 10;
static_assert(static_cast<std::uint8_t>(Op::move) < passed_op);

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
    enum class Kind : std::uint8_t { event, clock, passed };
    Kind kind = Kind::event;
    std::uint8_t flags = 0;
    std::uint64_t time_ns = 0, obj = 0, holder = 0, from = 0;
    std::int32_t tid = 0, count = 0, val = 0, ret = 0;
    std::uint32_t site = 0, stream = 0, kind_id = 0;
    std::uint64_t passed = 0, passed_ns = 0; // events passed over before it (at its position, for `passed`)
};

// One lane's file read back sequentially through a buffer, its differences summed up.
class LaneReader {
public:
    LaneReader(int fd, std::uint64_t size, std::size_t buffer, const std::string &dir)
        : fd_(fd), size_(size), in_(buffer), dir_(dir)
    {
    }

    bool done() const { return used_ == have_ && offset_ == size_; }

    // The next record into `r` (for a clock record, r.time_ns alone is set).
    void next(Record &r)
    {
        fill(max_record_bytes);
        const char *p = in_.data() + used_;
        r.flags = static_cast<std::uint8_t>(*p++);
        const std::uint8_t op = r.flags & op_mask;
        r.passed = 0;
        std::uint64_t earlier = 0;
        if (op == passed_op || r.flags & has_passed) {
            r.passed = get(p);
            earlier = op == passed_op ? 0 : unzig(get(p));
        }
        time_ns_ += unzig(get(p));
        r.time_ns = time_ns_;
        r.passed_ns = time_ns_ - earlier;
        if (op == passed_op || op == clock_op) {
            r.kind = op == passed_op ? Record::Kind::passed : Record::Kind::clock;
            used_ = static_cast<std::size_t>(p - in_.data());
            return;
        }
        r.kind = Record::Kind::event;
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
        r.kind_id = r.flags & has_kind ? static_cast<std::uint32_t>(get(p)) : 0;
        r.holder = r.from = 0;
        if (r.flags & has_holder) {
            std::memcpy(&r.holder, p, 8);
            std::memcpy(&r.from, p + 8, 8);
            p += 16;
        }
        used_ = static_cast<std::size_t>(p - in_.data());
    }

    // Read in step with the other lanes: the lane's record at `position` into `r`, if it has one there
    // (positions asked one by one, from 0; what it passed over only moves its position on).
    bool record_at(std::uint64_t position, Record &r)
    {
        while (!held_ && !done()) {
            next(head_);
            position_ += head_.passed;
            if (head_.kind == Record::Kind::passed)
                continue;
            held_ = true;
        }
        if (!held_ || position_ != position)
            return false;
        r = head_;
        held_ = false;
        ++position_;
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
    Record head_;                 // record_at: the next record, read ahead
    bool held_ = false;           // whether head_ is one not handed out yet
    std::uint64_t position_ = 0;  // record_at: head_'s position when held, else the next one's
};

} // namespace

EventSpill::EventSpill(SiteIndex &sites, unsigned lanes)
    : sites_(sites), dir_(temp_dir()), lanes_(std::clamp(lanes, 1u, max_lanes)),
      lane_bytes_(std::max(buffer_bytes / lanes_.size(), min_buffer_bytes)),
      lane_mask_(lanes_.size() == max_lanes ? all_lanes : (std::uint64_t{1} << lanes_.size()) - 1)
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

void EventSpill::add(const Event &e, std::uint64_t held)
{
    if (e.site == 0)
        throw std::logic_error("event spill: event without a site id");
    const std::uint32_t kind = e.op == Op::obj_init ? kind_id(e.kind) : 0;
    const bool holder = e.holder != 0 || e.from != 0;
    const unsigned own = lanes_.size() > 1 ? shard_of(e.pid, e.obj, static_cast<unsigned>(lanes_.size())) : 0;
    // A record in the event's own lane, a clock record in each lane whose replays hold events back; the
    // others count it when they next write (their `next`). The time they give a run of events passed over
    // is latest_ns_, the latest of every event added before: a replay of the lane was told of each earlier
    // one (a record, a clock record, or a run of its own), so its clock, their maximum, moves to the same
    // time as with the run's own latest.
    std::uint64_t to = (held & lane_mask_) | std::uint64_t{1} << own;
    while (to != 0) {
        const auto i = static_cast<unsigned>(std::countr_zero(to));
        to &= to - 1;
        Lane &lane = lanes_[i];
        char *p = room(lane, i == own ? max_record_bytes : max_clock_bytes);
        const std::uint64_t passed_over = events_ - lane.next;
        const std::uint8_t passed = passed_over > 0 ? has_passed : 0;
        if (i != own) {
            *p++ = static_cast<char>(clock_op | passed);
        } else {
            *p++ = static_cast<char>(static_cast<std::uint8_t>(e.op) | (kind ? has_kind : 0) |
                                     (holder ? has_holder : 0) | passed);
        }
        if (passed) {
            p = put(p, passed_over);
            p = put(p, zig(e.time_ns - latest_ns_));
        }
        p = put(p, zig(e.time_ns - lane.last_ns));
        if (i == own) {
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
        written_to(lane, p);
        lane.last_ns = e.time_ns;
        lane.next = events_ + 1;
    }
    latest_ns_ = events_ == 0 ? e.time_ns : std::max(latest_ns_, e.time_ns);
    ++events_;
}

char *EventSpill::room(Lane &lane, std::size_t most)
{
    if (lane.buffer.size() + most > lane_bytes_)
        flush(lane);
    const std::size_t at = lane.buffer.size();
    lane.buffer.resize(at + most);
    return lane.buffer.data() + at;
}

void EventSpill::written_to(Lane &lane, const char *end)
{
    lane.buffer.resize(static_cast<std::size_t>(end - lane.buffer.data()));
}

void EventSpill::pass_over(Lane &lane)
{
    if (lane.next == events_)
        return;
    char *p = room(lane, max_clock_bytes);
    *p++ = static_cast<char>(passed_op);
    p = put(p, events_ - lane.next);
    p = put(p, zig(latest_ns_ - lane.last_ns));
    written_to(lane, p);
    lane.last_ns = latest_ns_;
    lane.next = events_;
}

void EventSpill::add(const Loss &l)
{
    for (Lane &lane : lanes_) // a loss comes between events: none passed over in one go spans it
        pass_over(lane);
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
    for (Lane &lane : lanes_) {
        pass_over(lane);
        if (!lane.buffer.empty())
            flush(lane);
    }
}

void EventSpill::replay(EventSink &sink, unsigned shard, unsigned shards)
{
    seal();
    // Shard i of as many shards as lanes: lane i alone. Anything else: every lane in step, each event's
    // record in one of them and its time, or nothing, in the others.
    const bool own_lane = lanes_.size() > 1 && shards == lanes_.size();
    std::vector<LaneReader> readers;
    const std::size_t reader_bytes = std::max(buffer_bytes / lanes_.size(), min_buffer_bytes);
    for (std::size_t i = 0; i < lanes_.size(); ++i)
        if (!own_lane || i == shard)
            readers.emplace_back(lanes_[i].fd, lanes_[i].written, reader_bytes, dir_);
    // Records are decoded a chunk at a time, so that the sink can be told of its events ahead
    // (EventSink::prefetch) before it gets them; other shards' records keep only their time. Not a
    // replay of its own lane: a lane of 16 holds few enough objects for the replay's states to stay in
    // the CPU's caches, where the hints cost more than they save (blockers on 1 M events, the
    // attribution's time with them 0.92x that of 2 lanes with them, without them 0.70-0.77x).
    std::vector<Event> chunk(chunk_records);
    std::vector<Record::Kind> tick(chunk_records); // clock: another shard's event
    std::vector<std::uint64_t> passed(chunk_records), passed_ns(chunk_records); // passed over before it
    std::vector<std::uint32_t> own; // indexes in `chunk` of this shard's events
    own.reserve(chunk_records);
    std::size_t next_loss = 0;
    const auto losses_until = [&](std::uint64_t position) {
        while (next_loss < losses_.size() && losses_[next_loss].first <= position)
            sink.on_loss(losses_[next_loss++].second);
    };
    std::uint64_t position = 0; // of the next event, decoded (`decoded`) and handed on (`position`)
    std::uint64_t decoded = 0;
    Record r, clock;
    while (decoded < events_) {
        std::size_t n = 0;
        own.clear();
        for (; n < chunk_records && decoded < events_; ++n) {
            Event &e = chunk[n];
            if (own_lane) {
                if (readers.front().done())
                    throw std::logic_error("event spill: a lane ends before the last event");
                readers.front().next(r);
            } else if (readers.size() == 1) {
                readers.front().next(r);
            } else {
                bool full = false;
                for (LaneReader &lane : readers) {
                    Record &into = full ? clock : r;
                    if (!lane.record_at(decoded, into) || into.kind != Record::Kind::event)
                        continue;
                    if (full)
                        throw std::logic_error("event spill: two lanes hold one event's record");
                    full = true;
                }
                if (!full)
                    throw std::logic_error("event spill: no lane holds an event's record");
                r.passed = 0;
            }
            tick[n] = r.kind;
            passed[n] = r.passed;
            passed_ns[n] = r.passed_ns;
            decoded += r.passed + (r.kind != Record::Kind::passed);
            e.time_ns = r.time_ns;
            if (r.kind != Record::Kind::event)
                continue;
            const SiteKey &site = sites_.key(r.site);
            if (!own_lane && shards > 1 && shard_of(site.pid, r.obj, shards) != shard) {
                tick[n] = Record::Kind::clock;
                continue;
            }
            own.push_back(static_cast<std::uint32_t>(n));
            e.obj = r.obj;
            e.holder = r.holder;
            e.from = r.from;
            e.site = r.site;
            e.caller_site = sites_.caller_of(r.site);
            e.pid = site.pid;
            e.caller = site.address;
            e.stack_id = site.stack_id;
            e.tid = r.tid;
            e.count = r.count;
            e.val = r.val;
            e.ret = r.ret;
            e.stream = r.stream;
            e.op = static_cast<Op>(r.flags & op_mask);
            e.kind = r.kind_id ? std::string_view(kinds_[r.kind_id - 1]) : std::string_view{};
        }
        if (decoded > events_)
            throw std::logic_error("event spill: a lane holds more events than were added");
        std::size_t j = 0; // own events handed on so far
        for (std::size_t k = 0; k < n; ++k) {
            if (passed[k] > 0) {
                losses_until(position);
                sink.on_clocks(passed[k], passed_ns[k]);
                position += passed[k];
            }
            if (tick[k] == Record::Kind::passed)
                continue;
            losses_until(position++);
            if (tick[k] == Record::Kind::clock) {
                sink.on_clock(chunk[k].time_ns);
                continue;
            }
            if (!own_lane)
                prefetch_ahead(sink, own.size(), j, [&](std::size_t o) -> const Event & { return chunk[own[o]]; });
            sink.on_event(chunk[k]);
            ++j;
        }
    }
    while (next_loss < losses_.size())
        sink.on_loss(losses_[next_loss++].second);
}

} // namespace refblame::analyzer::replay
