// event_builder.hpp: writes consistent synthetic refblame event streams for tests (counts computed as the library would).
#pragma once

#include "model/event.hpp"

#include <cstdint>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

namespace refblame::analyzer::testing {

class EventBuilder {
public:
    explicit EventBuilder(std::int32_t pid = 4242, std::uint64_t start_ns = 1'000'000) : pid_(pid), now_(start_ns) {}

    EventBuilder &at(std::uint64_t ns) { now_ = ns; return *this; }
    EventBuilder &advance(std::uint64_t ns) { now_ += ns; return *this; }
    std::uint64_t now() const { return now_; }
    int count(std::uint64_t obj) const { auto it = counts_.find(obj); return it == counts_.end() ? 0 : it->second; }

    Event &init(std::uint64_t obj, std::string_view kind, int n, std::uint64_t site, std::int32_t tid)
    {
        counts_[obj] = n;
        Event &e = push(Op::obj_init, obj, n, n, site, tid);
        e.kind = kind;
        return e;
    }
    Event &free(std::uint64_t obj, std::uint64_t site, std::int32_t tid)
    {
        return push(Op::obj_free, obj, count(obj), 0, site, tid);
    }
    // page_ref_add / page_ref_inc (or a tracked get when holder != 0)
    Event &get(std::uint64_t obj, std::uint64_t site, std::int32_t tid, std::uint64_t holder = 0, int n = 1)
    {
        counts_[obj] += n;
        Event &e = push(Op::mod, obj, counts_[obj], n, site, tid);
        e.holder = holder;
        return e;
    }
    // page_ref_dec_and_test (or a tracked put when holder != 0)
    Event &put(std::uint64_t obj, std::uint64_t site, std::int32_t tid, std::uint64_t holder = 0, int n = 1)
    {
        counts_[obj] -= n;
        Event &e = push(Op::mod_and_test, obj, counts_[obj], -n, site, tid);
        e.ret = counts_[obj] == 0;
        e.holder = holder;
        return e;
    }
    Event &get_unless_zero(std::uint64_t obj, std::uint64_t site, std::int32_t tid)
    {
        bool ok = count(obj) != 0;
        if (ok)
            counts_[obj] += 1;
        Event &e = push(Op::mod_unless, obj, counts_[obj], 1, site, tid);
        e.ret = ok;
        return e;
    }
    Event &set(std::uint64_t obj, int v, std::uint64_t site, std::int32_t tid)
    {
        counts_[obj] = v;
        return push(Op::set, obj, v, v, site, tid);
    }
    // Succeeds (count -> 0) when the count is `expected`.
    Event &freeze(std::uint64_t obj, int expected, std::uint64_t site, std::int32_t tid)
    {
        bool ok = count(obj) == expected;
        if (ok)
            counts_[obj] = 0;
        Event &e = push(Op::freeze, obj, ok ? 0 : count(obj), expected, site, tid);
        e.ret = ok;
        return e;
    }
    Event &unfreeze(std::uint64_t obj, int v, std::uint64_t site, std::int32_t tid)
    {
        counts_[obj] = v;
        return push(Op::unfreeze, obj, v, v, site, tid);
    }
    Event &move(std::uint64_t obj, std::uint64_t from, std::uint64_t to, std::uint64_t site, std::int32_t tid)
    {
        Event &e = push(Op::move, obj, count(obj), 0, site, tid);
        e.from = from;
        e.holder = to;
        return e;
    }

    std::vector<Event> &events() { return events_; }
    std::vector<Event> take() { return std::move(events_); }

private:
    Event &push(Op op, std::uint64_t obj, int count, int val, std::uint64_t site, std::int32_t tid)
    {
        Event e;
        e.time_ns = ++now_;
        e.obj = obj;
        e.caller = site;
        e.pid = pid_;
        e.tid = tid;
        e.count = count;
        e.val = val;
        e.op = op;
        events_.push_back(e);
        return events_.back();
    }

    std::int32_t pid_;
    std::uint64_t now_;
    std::map<std::uint64_t, int> counts_;
    std::vector<Event> events_;
};

} // namespace refblame::analyzer::testing
