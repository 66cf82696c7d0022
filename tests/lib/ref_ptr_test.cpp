// ref_ptr_test.cpp: refblame::ref_ptr copy/move/reset/adopt counts and destruction through the customization point.
#include <refblame/ref.hpp>

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace {

int destroyed = 0;

struct Entry : refblame::ref_counted {
    Entry() : refblame::ref_counted("entry") {}
    ~Entry() { ++destroyed; }
    int value = 42;
};

// A plain struct with its own counter, destroyed through a specialization.
struct Pooled {
    refblame_ref_t _refcount;
    bool released = false;
};

} // namespace

template <>
struct refblame::ref_destroy<Pooled> {
    void operator()(Pooled *p) const noexcept { p->released = true; }
};

namespace {

int count(const Entry *e) { return refblame_ref_count(&e->_refcount); }

TEST(RefPtr, ConstructTakesAReferenceAndLastPutDestroys)
{
    destroyed = 0;
    {
        refblame::ref_ptr<Entry> a(new Entry);
        EXPECT_EQ(count(a.get()), 1);
        EXPECT_EQ(a->value, 42);
        EXPECT_EQ((*a).value, 42);
        EXPECT_TRUE(a);
    }
    EXPECT_EQ(destroyed, 1);
}

TEST(RefPtr, CopyAddsMoveTransfers)
{
    destroyed = 0;
    auto a = refblame::make_ref<Entry>();
    Entry *e = a.get();
    {
        refblame::ref_ptr<Entry> b(a);
        EXPECT_EQ(count(e), 2);
        refblame::ref_ptr<Entry> c(std::move(b));
        EXPECT_EQ(count(e), 2);
        EXPECT_FALSE(b);
        EXPECT_EQ(c.get(), e);
        refblame::ref_ptr<Entry> d;
        d = c; // copy assignment
        EXPECT_EQ(count(e), 3);
        d = std::move(c); // move assignment onto the same object drops one
        EXPECT_EQ(count(e), 2);
        EXPECT_FALSE(c);
    }
    EXPECT_EQ(count(e), 1);
    EXPECT_EQ(destroyed, 0);
    a.reset();
    EXPECT_FALSE(a);
    EXPECT_EQ(destroyed, 1);
}

TEST(RefPtr, AssignmentReleasesTheOldObject)
{
    destroyed = 0;
    auto a = refblame::make_ref<Entry>();
    auto b = refblame::make_ref<Entry>();
    a = b;
    EXPECT_EQ(destroyed, 1);
    EXPECT_EQ(count(b.get()), 2);
    a = refblame::ref_ptr<Entry>();
    EXPECT_EQ(count(b.get()), 1);
    auto &self = b;
    b = self; // self-assignment keeps the reference
    EXPECT_EQ(count(b.get()), 1);
}

TEST(RefPtr, AdoptTakesOverAnExistingReference)
{
    Pooled p;
    refblame_obj_init(&p._refcount, "pooled", 1);
    {
        auto a = refblame::ref_ptr<Pooled>::adopt(&p);
        EXPECT_EQ(refblame_ref_count(&p._refcount), 1);
        auto b = a;
        EXPECT_EQ(refblame_ref_count(&p._refcount), 2);
    }
    EXPECT_EQ(refblame_ref_count(&p._refcount), 0);
    EXPECT_TRUE(p.released); // customization point, not delete
}

TEST(RefPtr, VectorGrowthMovesWithoutChangingCounts)
{
    destroyed = 0;
    auto e = refblame::make_ref<Entry>();
    {
        std::vector<refblame::ref_ptr<Entry>> v;
        for (int i = 0; i < 100; ++i)
            v.push_back(e);
        EXPECT_EQ(count(e.get()), 101);
    }
    EXPECT_EQ(count(e.get()), 1);
    EXPECT_EQ(destroyed, 0);
}

TEST(RefPtr, NullPointerIsHarmless)
{
    refblame::ref_ptr<Entry> a(nullptr), b;
    EXPECT_TRUE(a == nullptr);
    b = a;
    a.reset();
    refblame::ref_ptr<Entry> c(static_cast<Entry *>(nullptr));
    EXPECT_FALSE(c);
}

} // namespace
