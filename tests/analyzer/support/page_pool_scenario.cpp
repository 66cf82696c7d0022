// page_pool_scenario.cpp: a discrete-event simulation of a page pool: map/readahead/unmap on one thread, I/O
// completions on another, LRU and page-cache refs, tracked holders, a planted leak, migration with retries.
#include "page_pool_scenario.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <random>

namespace refblame::analyzer::testing {

namespace {

class Simulation {
public:
    explicit Simulation(const PagePoolConfig &c) : c_(c), rng_(c.seed), pages_(static_cast<std::size_t>(c.slots))
    {
        for (std::size_t i = 0; i < pages_.size(); ++i)
            pages_[i].addr = 0x7f0000100000ull + i * 0x40;
    }

    Scenario run()
    {
        for (std::size_t i = 0; i < pages_.size(); ++i)
            at(exp(5e6), [this, i] { alloc(i); });
        at(exp(c_.migrate_interval_ns), [this] { migrate(); });
        while (!queue_.empty() && queue_.top().time < c_.duration_ns) {
            Action a = queue_.top();
            queue_.pop();
            now_ = std::max(now_, a.time);
            a.run();
        }
        out_.truth.ref_site = ref_site_;
        return std::move(out_);
    }

private:
    struct Page {
        std::uint64_t addr = 0;
        int count = 0;
        bool resident = false, frozen = false, zombie = false;
        int transient = 0; // refs taken by activities and not yet released
        std::uint64_t base = 0, lru = 0;
        std::uint32_t generation = 0;
    };
    struct Action {
        std::uint64_t time;
        std::uint64_t seq;
        std::function<void()> run;
        bool operator<(const Action &o) const { return time != o.time ? time > o.time : seq > o.seq; }
    };

    void at(double delay_ns, std::function<void()> f)
    {
        queue_.push(Action{now_ + static_cast<std::uint64_t>(std::max(delay_ns, 1.0)), ++seq_, std::move(f)});
    }
    double exp(double mean) { return std::exponential_distribution<double>(1.0 / mean)(rng_); }
    double lognormal(double median, double sigma) { return std::lognormal_distribution<double>(std::log(median), sigma)(rng_); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

    Event &emit(Op op, Page &p, int delta, std::int32_t tid, std::uint64_t caller)
    {
        Event e;
        last_ = std::max(last_ + 1, now_);
        e.time_ns = last_;
        e.obj = p.addr;
        e.caller = caller;
        e.pid = scenario_pid;
        e.tid = tid;
        e.op = op;
        e.val = delta;
        p.count += delta;
        e.count = p.count;
        out_.events.push_back(e);
        out_.truth.opened.push_back(0);
        out_.truth.closed.push_back(0);
        return out_.events.back();
    }
    std::uint64_t get(Page &p, std::int32_t tid, std::uint64_t caller, std::uint64_t holder = 0)
    {
        Event &e = emit(Op::mod, p, 1, tid, caller);
        e.holder = holder;
        std::uint64_t id = ref_site_.size();
        ref_site_.push_back(caller);
        out_.truth.opened.back() = id;
        return id;
    }
    void put(Page &p, std::uint64_t ref, std::int32_t tid, std::uint64_t caller, std::uint64_t holder = 0)
    {
        Event &e = emit(Op::mod_and_test, p, -1, tid, caller);
        e.ret = p.count == 0;
        e.holder = holder;
        out_.truth.closed.back() = ref;
    }

    // Runs f on the page now, or a little later while a migration holds it frozen.
    void when_thawed(std::size_t i, std::uint32_t gen, std::function<void()> f)
    {
        Page &p = pages_[i];
        if (p.generation != gen)
            return;
        if (p.frozen) {
            at(20e3, [this, i, gen, f] { when_thawed(i, gen, f); });
            return;
        }
        f();
    }

    void alloc(std::size_t i)
    {
        Page &p = pages_[i];
        if (p.resident || p.zombie)
            return;
        ++p.generation;
        p.count = 0;
        p.transient = 0;
        Event &e = emit(Op::obj_init, p, 1, thread::main, site::init);
        e.kind = "page";
        e.val = 1;
        p.base = ref_site_.size();
        ref_site_.push_back(site::init);
        out_.truth.opened.back() = p.base;
        p.resident = true;
        std::uint32_t gen = p.generation;
        at(20e3, [this, i, gen] { when_thawed(i, gen, [this, i] { pages_[i].lru = get(pages_[i], thread::main, site::lru_add); }); });
        at(exp(c_.activity_interval_ns), [this, i, gen] { activity(i, gen); });
        if (chance(c_.leak_probability))
            at(lognormal(10e6, 0.7), [this, i, gen] {
                when_thawed(i, gen, [this, i] { if (pages_[i].resident) get(pages_[i], thread::main, site::leak); });
            });
        at(lognormal(c_.life_ns, 0.5), [this, i, gen] { evict(i, gen); });
    }

    // A transient hold: get now on `tid`, put after `hold_ns` on `put_tid` at `release_site`.
    void hold(std::size_t i, std::uint32_t gen, std::int32_t tid, std::uint64_t acquire_site, double hold_ns,
              std::int32_t put_tid, std::uint64_t release_site)
    {
        Page &p = pages_[i];
        std::uint64_t ref = get(p, tid, acquire_site);
        ++p.transient;
        at(hold_ns, [this, i, gen, ref, put_tid, release_site] {
            when_thawed(i, gen, [this, i, ref, put_tid, release_site] {
                put(pages_[i], ref, put_tid, release_site);
                --pages_[i].transient;
            });
        });
    }

    void activity(std::size_t i, std::uint32_t gen)
    {
        Page &p = pages_[i];
        if (p.generation != gen || !p.resident)
            return;
        at(exp(c_.activity_interval_ns), [this, i, gen] { activity(i, gen); });
        when_thawed(i, gen, [this, i, gen] { act(i, gen); });
    }

    void act(std::size_t i, std::uint32_t gen)
    {
        std::uint64_t ra_release = c_.shared_completion ? site::io_complete : site::ra_done;
        std::uint64_t pin_release = c_.shared_completion ? site::io_complete : site::io_done;
        double r = std::uniform_real_distribution<double>(0, 1)(rng_);
        std::int32_t mapper = chance(0.5) ? thread::main : thread::main2;
        std::int32_t io = thread::io + (c_.io_threads > 1 && chance(0.5) ? 100 : 0);
        if (r < 0.30) { // map ... unmap on one thread
            hold(i, gen, mapper, site::map, lognormal(400e3, 0.5), mapper, site::unmap);
        } else if (r < 0.55) { // map, then readahead on the same thread, then unmap before the I/O completes
            hold(i, gen, thread::main, site::map, lognormal(400e3, 0.5), thread::main, site::unmap);
            at(30e3, [this, i, gen, ra_release, io] {
                when_thawed(i, gen, [this, i, gen, ra_release, io] {
                    hold(i, gen, thread::main, site::readahead, lognormal(c_.readahead_hold_ns, 0.4), io, ra_release);
                });
            });
        } else if (r < 0.70) {
            hold(i, gen, thread::main, site::readahead, lognormal(c_.readahead_hold_ns, 0.4), io, ra_release);
        } else if (r < 0.85) {
            hold(i, gen, mapper, site::pin, lognormal(c_.pin_hold_ns, 0.4), io, pin_release);
        } else if (c_.tracked) { // a ref_ptr copied, moved to another holder, destroyed on another thread
            Page &p = pages_[i];
            std::uint64_t h1 = 0x5000 + (next_holder_ += 0x10), h2 = h1 + 8;
            std::uint64_t ref = get(p, thread::worker, site::tracked_get, h1);
            ++p.transient;
            at(50e3, [this, i, gen, h1, h2] {
                when_thawed(i, gen, [this, i, h1, h2] {
                    Event &e = emit(Op::move, pages_[i], 0, thread::worker, site::tracked_move);
                    e.from = h1;
                    e.holder = h2;
                });
            });
            at(lognormal(600e3, 0.5) + 60e3, [this, i, gen, ref, h2] {
                when_thawed(i, gen, [this, i, ref, h2] {
                    put(pages_[i], ref, thread::worker2, site::tracked_put, h2);
                    --pages_[i].transient;
                });
            });
        }
    }

    void evict(std::size_t i, std::uint32_t gen)
    {
        Page &p = pages_[i];
        if (p.generation != gen || !p.resident)
            return;
        if (p.frozen || p.transient > 0 || p.lru == 0) {
            at(1e6, [this, i, gen] { evict(i, gen); });
            return;
        }
        put(p, p.lru, thread::reclaim, site::lru_del);
        p.lru = 0;
        put(p, p.base, thread::reclaim, site::pool_put);
        p.resident = false;
        if (p.count == 0) {
            emit(Op::obj_free, p, 0, thread::reclaim, site::free);
            at(exp(5e6), [this, i] { alloc(i); });
        } else {
            p.zombie = true; // the leaked ref keeps it: never freed, never reused
        }
    }

    void migrate()
    {
        at(exp(c_.migrate_interval_ns), [this] { migrate(); });
        std::vector<std::size_t> candidates;
        for (std::size_t i = 0; i < pages_.size(); ++i)
            if (pages_[i].resident && !pages_[i].frozen && pages_[i].lru != 0)
                candidates.push_back(i);
        if (candidates.empty())
            return;
        std::size_t i = candidates[std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(rng_)];
        attempt(i, pages_[i].generation, 10);
    }

    void attempt(std::size_t i, std::uint32_t gen, int tries)
    {
        Page &p = pages_[i];
        if (p.generation != gen || !p.resident || p.frozen || tries == 0)
            return;
        bool ok = p.count == 2;
        Event &e = emit(Op::freeze, p, 0, thread::migrate, site::freeze);
        e.val = 2;
        e.ret = ok;
        if (ok) {
            p.count = 0;
            e.count = 0;
            p.frozen = true;
            at(5e3, [this, i, gen] {
                Page &q = pages_[i];
                if (q.generation != gen)
                    return;
                q.count = 2;
                Event &u = emit(Op::unfreeze, q, 0, thread::migrate, site::unfreeze);
                u.count = u.val = 2;
                q.frozen = false;
            });
        } else {
            at(1e6, [this, i, gen, tries] { attempt(i, gen, tries - 1); });
        }
    }

    const PagePoolConfig &c_;
    std::mt19937_64 rng_;
    std::vector<Page> pages_;
    std::priority_queue<Action> queue_;
    std::uint64_t now_ = 1'000'000, last_ = 0, seq_ = 0, next_holder_ = 0;
    std::vector<std::uint64_t> ref_site_{0}; // id 0: no reference
    Scenario out_;
};

} // namespace

Scenario page_pool(const PagePoolConfig &config)
{
    return Simulation(config).run();
}

} // namespace refblame::analyzer::testing
