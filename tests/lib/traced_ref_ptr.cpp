// traced_ref_ptr.cpp: ref_ptr construct/copy/move/reset/adopt under a real session; prints the events and holders the trace must show.
#include <refblame/ref.hpp>

#include <link.h>

#include <cstdint>
#include <cstdio>
#include <utility>

namespace {

struct Buffer : refblame::ref_counted {
    Buffer() : refblame::ref_counted("buffer") {} static constexpr int init_line = __LINE__;
};

void expect(const char *event, const void *obj, int count, int val, int ret, const void *holder,
            const char *func, int line)
{
    std::printf("EXPECT %s obj=0x%lx count=%d val=%d ret=%d holder=0x%lx func=%s line=%d\n", event,
                (unsigned long)(std::uintptr_t)obj, count, val, ret,
                (unsigned long)(std::uintptr_t)holder, func, line);
}

} // namespace

#define E(event, obj, count, val, ret, holder) expect(event, obj, count, val, ret, holder, __func__, __LINE__)

int main()
{
    dl_iterate_phdr(
        [](dl_phdr_info *info, size_t, void *) {
            std::printf("BIAS 0x%lx\n", (unsigned long)info->dlpi_addr);
            return 1;
        },
        nullptr);
    // obj_init belongs to the constructor that initialized the counter.
    Buffer *b = new Buffer; expect("obj_init", &b->_refcount, 0, 0, -1, nullptr, "Buffer::Buffer", Buffer::init_line);
    const void *r = &b->_refcount;
    {
        refblame::ref_ptr<Buffer> p(b); E("ref_get", r, 1, 1, -1, &p);
        refblame::ref_ptr<Buffer> q(p); E("ref_get", r, 2, 1, -1, &q);
        refblame::ref_ptr<Buffer> m(std::move(q)); E("ref_move", r, 2, 0, -1, &m);
        m.reset(); E("ref_put", r, 1, -1, 0, &m);
        refblame_ref_inc(&b->_refcount); E("ref_mod", r, 2, 1, -1, nullptr);
        auto a = refblame::ref_ptr<Buffer>::adopt(b); E("ref_move", r, 2, 0, -1, &a);
        // At the end of the scope a then p are destroyed; the last put
        // destroys the Buffer. Their location is not checked (func "-").
        expect("ref_put", r, 1, -1, 0, &a, "-", 0);
        expect("ref_put", r, 0, -1, 1, &p, "-", 0);
        expect("obj_free", r, 0, 0, -1, nullptr, "-", 0);
    }
    return 0;
}
