// cxx_sites.cpp: C++ call sites of refblame ops for the symbolizer tests; each acquisition's line carries `// SITE: function`.
// Markers: `// SITE: name` the site is `name` at this line; `// SITE-O0-LIBRARY: name` at -O0 the
// address lies in out-of-line standard library code (in_library_code), at -O2 the site is `name` here.
#include "probe.h"

#include <refblame/ref.hpp>

#include <vector>

struct Obj : refblame::ref_counted {
    int v = 0;
};
using ObjRef = refblame::ref_ptr<Obj>;

namespace store {

class Session {
public:
    void remember(const ObjRef &o);

private:
    ObjRef last_;
};

// A ref_ptr copy inside a member function.
void Session::remember(const ObjRef &o)
{
    last_ = o; // SITE: store::Session::remember
}

class Index {
public:
    Index() { items_.reserve(8); }
    // A ref_ptr copied by std::vector::push_back: at -O0 inside an out-of-line std:: template.
    void build(const ObjRef &o)
    {
        items_.push_back(o); // SITE-O0-LIBRARY: store::Index::build
    }

private:
    std::vector<ObjRef> items_;
};

} // namespace store

// A holder whose constructor copies the reference.
class Holder {
public:
    explicit Holder(const ObjRef &o) : ref_(o) {} // SITE: Holder::Holder
    const ObjRef &ref() const { return ref_; }

private:
    ObjRef ref_;
};

template <class T>
refblame::ref_ptr<T> hold(const refblame::ref_ptr<T> &p)
{
    refblame::ref_ptr<T> copy(p); // SITE: hold<Obj>
    return copy;
}

ObjRef run_lambda(const ObjRef &o)
{
    ObjRef kept;
    auto keep = [&kept](const ObjRef &x) {
        kept = x; // SITE: run_lambda::{lambda}::operator()
    };
    keep(o);
    return kept;
}

namespace {
// Static, always called with n == 2: GCC clones it at -O2 (take_n.constprop.0).
__attribute__((noinline)) void take_n(Obj *o, int n)
{
    refblame_ref_add(&o->_refcount, n); // SITE: (anonymous namespace)::take_n
}
} // namespace

int main()
{
    ObjRef first = refblame::make_ref<Obj>(); // SITE: main
    store::Session session;
    session.remember(first);
    store::Index index;
    index.build(first);
    Holder holder(first);
    ObjRef copy = hold(first);
    ObjRef kept = run_lambda(first);
    take_n(first.get(), 2);
    take_n(first.get(), 2);
    refblame_ref_sub(&first->_refcount, 4);
    symprobe_dump_modules();
    return 0;
}
