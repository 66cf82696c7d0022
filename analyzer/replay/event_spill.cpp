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
constexpr std::size_t record_bytes = 48;
constexpr std::size_t extension_bytes = 16;
constexpr std::size_t chunk_records = 1024; // decoded ahead of the sink
constexpr std::uint8_t has_extension = 1; // holder and from follow

// The fixed part of a record, in file order (memcpy'd: no alignment assumed).
struct Record {
    std::uint64_t time_ns;
    std::uint64_t obj;
    std::uint32_t site;
    std::int32_t tid;
    std::int32_t count;
    std::int32_t val;
    std::int32_t ret;
    std::uint32_t stream;
    std::uint32_t kind; // 0: none
    std::uint8_t op;
    std::uint8_t flags;
    std::uint8_t pad[2];
};
static_assert(sizeof(Record) == record_bytes);

std::string temp_dir()
{
    const char *t = std::getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

[[noreturn]] void io_failed(const std::string &dir, const char *what, int err)
{
    throw UserError("cannot " + std::string(what) + " the analysis's temporary file in " + dir + ": " +
                    std::strerror(err) +
                    " (it holds about 50 bytes per event; set TMPDIR to a directory with room)");
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
    Record r{};
    r.time_ns = e.time_ns;
    r.obj = e.obj;
    r.site = e.site;
    r.tid = e.tid;
    r.count = e.count;
    r.val = e.val;
    r.ret = e.ret;
    r.stream = e.stream;
    r.kind = e.op == Op::obj_init ? kind_id(e.kind) : 0;
    r.op = static_cast<std::uint8_t>(e.op);
    r.flags = e.holder != 0 || e.from != 0 ? has_extension : 0;
    if (buffer_.size() + record_bytes + extension_bytes > buffer_bytes)
        flush();
    const std::size_t at = buffer_.size();
    buffer_.resize(at + record_bytes + (r.flags & has_extension ? extension_bytes : 0));
    std::memcpy(buffer_.data() + at, &r, record_bytes);
    if (r.flags & has_extension) {
        std::memcpy(buffer_.data() + at + record_bytes, &e.holder, 8);
        std::memcpy(buffer_.data() + at + record_bytes + 8, &e.from, 8);
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
    for (std::uint64_t base = 0; base < events_; base += chunk_records) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_records, events_ - base));
        own.clear();
        for (std::size_t k = 0; k < n; ++k) {
            fill(record_bytes);
            Record r;
            std::memcpy(&r, in.data() + used, record_bytes);
            used += record_bytes;
            Event &e = chunk[k];
            const SiteKey &site = sites_.key(r.site);
            other[k] = shards > 1 && shard_of(site.pid, r.obj, shards) != shard;
            e.time_ns = r.time_ns;
            if (other[k]) {
                if (r.flags & has_extension) {
                    fill(extension_bytes);
                    used += extension_bytes;
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
            e.ret = r.ret;
            e.stream = r.stream;
            e.op = static_cast<Op>(r.op);
            e.kind = r.kind ? std::string_view(kinds_[r.kind - 1]) : std::string_view{};
            e.holder = e.from = 0;
            if (r.flags & has_extension) {
                fill(extension_bytes);
                std::memcpy(&e.holder, in.data() + used, 8);
                std::memcpy(&e.from, in.data() + used + 8, 8);
                used += extension_bytes;
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
