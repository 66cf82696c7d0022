// page_pool_program.cpp: runs examples/page_pool.c's main() step by step, emitting its events and who truly holds each ref.
#include "page_pool_program.hpp"

#include <vector>

namespace refblame::analyzer::testing {

namespace {

namespace ps = program_site;

constexpr std::int32_t program_tid = 7000;

class Program {
public:
    explicit Program(const PagePoolProgramConfig &c) : c_(c), pages_(static_cast<std::size_t>(c.pages)) {}

    Scenario run()
    {
        const int n = c_.pages;
        for (int i = 0; i < n; i++)
            alloc_page_cache(i);
        for (int i = 0; i < n; i++) {
            readahead_submit(i);
            map_page(i);
            readahead_end_io(i);
            for (int proc = 1; proc < c_.procs; proc++)
                if ((i + proc) % 4 == 0)
                    map_page(i);
            if (i % 2 == 1)
                dma_submit(i);
        }
        for (int i = 0; i < n; i++) {
            dma_complete(i);
            if (i % 3 == 0)
                unmap_page(i);
        }
        for (int i = 0; i < n; i++)
            migrate_page(i);
        for (int i = 0; i < n; i++) {
            while (!page(i).maps.empty())
                unmap_page(i);
            put(i, page(i).base, ps::teardown); // page_ref_dec_and_test
            Event &e = emit(Op::obj_free, i, 0, ps::free);
            e.val = 0;
        }
        out_.truth.ref_site = ref_site_;
        return std::move(out_);
    }

private:
    struct Page {
        int count = 0;
        std::uint64_t base = 0, readahead = 0, dma = 0; // open refs by purpose (0: none)
        std::vector<std::uint64_t> maps;
        bool dma_inflight = false;
    };

    Page &page(int i) { return pages_[static_cast<std::size_t>(i)]; }
    static std::uint64_t addr(int i) { return 0x55c96db2a000ull + static_cast<std::uint64_t>(i) * 76; } // sizeof(struct page)

    Event &emit(Op op, int i, int delta, std::uint64_t caller)
    {
        now_ += c_.op_ns;
        Page &p = page(i);
        p.count += delta;
        Event e;
        e.time_ns = now_;
        e.obj = addr(i);
        e.caller = caller;
        e.pid = scenario_pid;
        e.tid = program_tid;
        e.op = op;
        e.val = delta;
        e.count = p.count;
        out_.events.push_back(e);
        out_.truth.opened.push_back(0);
        out_.truth.closed.push_back(0);
        return out_.events.back();
    }
    std::uint64_t opened(std::uint64_t caller)
    {
        std::uint64_t id = ref_site_.size();
        ref_site_.push_back(caller);
        out_.truth.opened.back() = id;
        return id;
    }
    std::uint64_t inc(int i, std::uint64_t caller) // page_ref_inc
    {
        emit(Op::mod, i, 1, caller);
        return opened(caller);
    }
    void dec(int i, std::uint64_t ref, std::uint64_t caller) // page_ref_dec
    {
        emit(Op::mod, i, -1, caller);
        out_.truth.closed.back() = ref;
    }
    void put(int i, std::uint64_t ref, std::uint64_t caller) // page_ref_dec_and_test
    {
        Event &e = emit(Op::mod_and_test, i, -1, caller);
        e.ret = page(i).count == 0;
        out_.truth.closed.back() = ref;
    }

    void alloc_page_cache(int i)
    {
        Event &e = emit(Op::obj_init, i, 1, ps::alloc);
        e.kind = "page";
        page(i).base = opened(ps::alloc);
    }
    void readahead_submit(int i) { page(i).readahead = inc(i, ps::readahead); }
    void readahead_end_io(int i)
    {
        dec(i, page(i).readahead, ps::end_io);
        page(i).readahead = 0;
    }
    void map_page(int i) { page(i).maps.push_back(inc(i, ps::map)); }
    void unmap_page(int i)
    {
        dec(i, page(i).maps.back(), ps::unmap);
        page(i).maps.pop_back();
    }
    void dma_submit(int i)
    {
        page(i).dma = inc(i, ps::dma_submit);
        if (i % 16 == 15) // dma_map() fails: the pin is never dropped (the planted bug)
            return;
        page(i).dma_inflight = true;
    }
    void dma_complete(int i)
    {
        Page &p = page(i);
        if (!p.dma_inflight)
            return;
        p.dma_inflight = false;
        dec(i, p.dma, ps::dma_complete);
        p.dma = 0;
    }
    void migrate_page(int i)
    {
        Page &p = page(i);
        Event &iso = emit(Op::mod_unless, i, 1, ps::isolate);
        iso.ret = 1;
        std::uint64_t isolation = opened(ps::isolate);
        int expected = 2 + static_cast<int>(p.maps.size());
        bool ok = p.count == expected;
        Event &f = emit(Op::freeze, i, 0, ps::freeze);
        f.val = expected;
        f.ret = ok;
        if (ok) {
            f.count = 0;
            Event &u = emit(Op::unfreeze, i, 0, ps::unfreeze);
            u.val = u.count = expected;
        }
        dec(i, isolation, ps::putback);
    }

    const PagePoolProgramConfig &c_;
    std::vector<Page> pages_;
    std::uint64_t now_ = 1'000'000;
    std::vector<std::uint64_t> ref_site_{0}; // id 0: no reference
    Scenario out_;
};

} // namespace

Scenario page_pool_program(const PagePoolProgramConfig &config)
{
    return Program(config).run();
}

} // namespace refblame::analyzer::testing
