// ref_ops_test.cpp: semantics of every refblame_ref_* / page_ref_* op (return values, resulting counts), untraced.
#include <refblame/page_ref.h>
#include <refblame/ref.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace {

struct page {
    refblame_ref_t _refcount;
    int data;
};

TEST(RefOps, InitSetAndCount)
{
    refblame_ref_t r;
    refblame_obj_init(&r, "thing", 3);
    EXPECT_EQ(refblame_ref_count(&r), 3);
    refblame_ref_set(&r, 7);
    EXPECT_EQ(refblame_ref_count(&r), 7);
    refblame_obj_free(&r);
    EXPECT_EQ(refblame_ref_count(&r), 7); // free only reports, never touches the count
}

TEST(RefOps, AddSubIncDec)
{
    refblame_ref_t r = REFBLAME_REF_INIT(1);
    refblame_ref_add(&r, 4);
    EXPECT_EQ(refblame_ref_count(&r), 5);
    refblame_ref_sub(&r, 2);
    EXPECT_EQ(refblame_ref_count(&r), 3);
    refblame_ref_inc(&r);
    EXPECT_EQ(refblame_ref_count(&r), 4);
    refblame_ref_dec(&r);
    EXPECT_EQ(refblame_ref_count(&r), 3);
}

TEST(RefOps, SubAndTestAndDecAndTestReportZero)
{
    refblame_ref_t r = REFBLAME_REF_INIT(3);
    EXPECT_FALSE(refblame_ref_sub_and_test(&r, 2));
    EXPECT_EQ(refblame_ref_count(&r), 1);
    EXPECT_TRUE(refblame_ref_dec_and_test(&r));
    EXPECT_EQ(refblame_ref_count(&r), 0);
    refblame_ref_set(&r, 2);
    EXPECT_FALSE(refblame_ref_dec_and_test(&r));
    EXPECT_TRUE(refblame_ref_sub_and_test(&r, 1));
}

TEST(RefOps, IncReturnDecReturnGiveTheNewCount)
{
    refblame_ref_t r = REFBLAME_REF_INIT(1);
    EXPECT_EQ(refblame_ref_inc_return(&r), 2);
    EXPECT_EQ(refblame_ref_inc_return(&r), 3);
    EXPECT_EQ(refblame_ref_dec_return(&r), 2);
    EXPECT_EQ(refblame_ref_count(&r), 2);
}

TEST(RefOps, AddUnlessEdgeCases)
{
    refblame_ref_t r = REFBLAME_REF_INIT(0);
    EXPECT_FALSE(refblame_ref_add_unless(&r, 1, 0)); // at u: refused
    EXPECT_EQ(refblame_ref_count(&r), 0);
    EXPECT_FALSE(refblame_ref_get_unless_zero(&r));
    EXPECT_EQ(refblame_ref_count(&r), 0);
    refblame_ref_set(&r, 1);
    EXPECT_TRUE(refblame_ref_get_unless_zero(&r));
    EXPECT_EQ(refblame_ref_count(&r), 2);
    EXPECT_TRUE(refblame_ref_add_unless(&r, 5, 0));
    EXPECT_EQ(refblame_ref_count(&r), 7);
    EXPECT_FALSE(refblame_ref_add_unless(&r, 5, 7)); // u need not be zero
    EXPECT_EQ(refblame_ref_count(&r), 7);
    EXPECT_TRUE(refblame_ref_add_unless(&r, -7, 3)); // negative nr
    EXPECT_EQ(refblame_ref_count(&r), 0);
}

TEST(RefOps, FreezeSucceedsOnlyAtExpectedCount)
{
    refblame_ref_t r = REFBLAME_REF_INIT(3);
    EXPECT_FALSE(refblame_ref_freeze(&r, 2)); // someone holds an extra reference
    EXPECT_EQ(refblame_ref_count(&r), 3);      // a failed freeze changes nothing
    EXPECT_TRUE(refblame_ref_freeze(&r, 3));
    EXPECT_EQ(refblame_ref_count(&r), 0);
    EXPECT_FALSE(refblame_ref_get_unless_zero(&r)); // frozen: no new references
    refblame_ref_unfreeze(&r, 3);
    EXPECT_EQ(refblame_ref_count(&r), 3);
}

TEST(RefOps, TrackedGetPut)
{
    refblame_ref_t r;
    refblame_obj_init(&r, "obj", 1);
    int a, b;
    refblame_ref_get(&r, &a);
    refblame_ref_get(&r, &b);
    EXPECT_EQ(refblame_ref_count(&r), 3);
    EXPECT_FALSE(refblame_ref_put(&r, &a));
    EXPECT_FALSE(refblame_ref_put(&r, &b));
    EXPECT_TRUE(refblame_ref_put(&r, nullptr));
    refblame_ref_move(&r, &a, &b); // move never changes the count
    EXPECT_EQ(refblame_ref_count(&r), 0);
}

TEST(PageRef, KernelNamesMapToTheOps)
{
    page p{};
    init_page_count(&p);
    EXPECT_EQ(page_ref_count(&p), 1);
    page_ref_add(&p, 3);
    page_ref_sub(&p, 1);
    page_ref_inc(&p);
    page_ref_dec(&p);
    EXPECT_EQ(page_ref_count(&p), 3);
    EXPECT_EQ(page_ref_inc_return(&p), 4);
    EXPECT_EQ(page_ref_dec_return(&p), 3);
    EXPECT_FALSE(page_ref_sub_and_test(&p, 1));
    EXPECT_FALSE(page_ref_freeze(&p, 1));
    EXPECT_TRUE(page_ref_freeze(&p, 2));
    EXPECT_FALSE(get_page_unless_zero(&p));
    page_ref_unfreeze(&p, 2);
    EXPECT_TRUE(page_ref_add_unless(&p, 1, 0));
    set_page_count(&p, 1);
    EXPECT_TRUE(page_ref_dec_and_test(&p));
}

TEST(RefOps, ConcurrentIncDecEndsAtTheStartingCount)
{
    refblame_ref_t r;
    refblame_obj_init(&r, "shared", 1);
    constexpr int threads = 4, iters = 100000;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (int i = 0; i < iters; ++i) {
                refblame_ref_inc(&r);
                if (i % 3 == 0)
                    refblame_ref_get_unless_zero(&r), refblame_ref_dec(&r);
                refblame_ref_dec(&r);
            }
        });
    for (auto &t : pool)
        t.join();
    EXPECT_EQ(refblame_ref_count(&r), 1);
}

TEST(RefOps, ConcurrentAddsAreNotLost)
{
    refblame_ref_t r = REFBLAME_REF_INIT(0);
    constexpr int threads = 4, iters = 50000;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (int i = 0; i < iters; ++i)
                refblame_ref_inc_return(&r);
        });
    for (auto &t : pool)
        t.join();
    EXPECT_EQ(refblame_ref_count(&r), threads * iters);
}

} // namespace
