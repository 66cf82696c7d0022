// object_table_test.cpp: the live-object table finds what was inserted and not erased, through growth, long probe runs and erasures inside them, and makes and destroys each value once.
#include "replay/object_table.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace refblame::analyzer::replay {
namespace {

ObjectState state_of(std::int32_t pid, std::uint64_t obj)
{
    ObjectState s;
    s.key = ObjectKey{pid, obj, 0};
    return s;
}

// Every key of `model` is found with its own state, and a sample of absent keys is not.
void expect_same(const ObjectTable &table, const std::map<std::pair<std::int32_t, std::uint64_t>, ObjectState *> &model)
{
    ASSERT_EQ(table.size(), model.size());
    for (const auto &[key, state] : model) {
        ObjectState *found = table.find(key.first, key.second);
        ASSERT_EQ(found, state) << "pid " << key.first << " obj " << key.second; // and it never moved
        EXPECT_EQ(found->key.obj, key.second);
    }
}

TEST(ObjectTable, FindsWhatIsInAndNotWhatWasErasedWhateverTheOrder)
{
    std::mt19937_64 rng(11);
    ObjectTable table;
    std::map<std::pair<std::int32_t, std::uint64_t>, ObjectState *> model;
    for (int step = 0; step < 200000; ++step) {
        // Few distinct keys (dense clusters of addresses, two processes): long runs and frequent reuse.
        const std::int32_t pid = rng() % 4 == 0 ? 77 : 12;
        const std::uint64_t obj = 0x7f0000001000 + (rng() % 3000) * 64;
        const auto key = std::make_pair(pid, obj);
        auto it = model.find(key);
        if (it == model.end()) {
            EXPECT_EQ(table.find(pid, obj), nullptr);
            if (rng() % 3 != 0)
                model[key] = &table.insert(pid, obj, state_of(pid, obj));
        } else if (rng() % 2 == 0) {
            table.erase(pid, obj);
            model.erase(it);
            EXPECT_EQ(table.find(pid, obj), nullptr);
        }
        if (step % 20000 == 0)
            expect_same(table, model);
    }
    expect_same(table, model);
    std::size_t seen = 0;
    table.for_each([&](ObjectState &s) {
        ++seen;
        EXPECT_TRUE(model.count({s.key.pid, s.key.obj}));
    });
    EXPECT_EQ(seen, model.size());
    table.erase(1, 0x1234); // absent: nothing happens
    EXPECT_EQ(table.size(), model.size());
}

TEST(ObjectTable, ErasingFromTheMiddleOfARunThatWrapsAroundKeepsTheRestFindable)
{
    ObjectTable table;
    std::map<std::pair<std::int32_t, std::uint64_t>, ObjectState *> model;
    // Enough keys for a 64-slot table (at most half full), many of which share home slots at its end.
    for (std::uint64_t k = 0; k < 30; ++k) {
        const std::uint64_t obj = k << 58; // high bits only: homes collide, runs wrap past the last slot
        model[{1, obj}] = &table.insert(1, obj, state_of(1, obj));
    }
    expect_same(table, model);
    for (std::uint64_t k = 0; k < 30; k += 3) {
        table.erase(1, k << 58);
        model.erase({1, k << 58});
        expect_same(table, model);
    }
}

TEST(KeyedTable, HoldsAnyValueAndIsEmptyAndUsableAgainAfterClear)
{
    KeyedTable<std::string> table;
    table.prefetch_home(1, 0x10); // nothing allocated yet: a hint does nothing
    EXPECT_EQ(table.find(1, 0x10), nullptr);
    for (std::uint64_t k = 0; k < 200; ++k)
        table.insert(static_cast<std::int32_t>(k % 3), k * 64, std::to_string(k));
    ASSERT_EQ(table.size(), 200u);
    EXPECT_EQ(*table.find(2, 5 * 64), "5");
    EXPECT_EQ(table.find(1, 5 * 64), nullptr); // same address, other process
    std::size_t seen = 0;
    table.for_each([&](std::string &) { ++seen; });
    EXPECT_EQ(seen, 200u);
    table.clear();
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.find(2, 5 * 64), nullptr);
    table.prefetch_home(2, 5 * 64);
    table.insert(2, 5 * 64, "again");
    EXPECT_EQ(*table.find(2, 5 * 64), "again");
}

TEST(KeyedTable, PrefetchHandsTheLastStageTheValueOfAKeyThatIsIn)
{
    KeyedTable<std::string> table;
    std::vector<std::string> pointed;
    const auto note = [&](const std::string &v) { pointed.push_back(v); };
    for (unsigned stage = 0; stage < 3; ++stage)
        table.prefetch(1, 0x10, stage, note); // empty: nothing to find
    table.insert(1, 0x10, "in");
    for (unsigned stage = 0; stage < 3; ++stage) {
        table.prefetch(1, 0x10, stage, note);
        table.prefetch(2, 0x10, stage, note); // absent: same address, other process
    }
    EXPECT_EQ(pointed, std::vector<std::string>{"in"}); // once: stage 2 of the key that is in
}

TEST(PrefetchBytes, CountsEveryLineTheRangeTouchesFromTheLineOfItsFirstByte)
{
    const auto at = [](std::uintptr_t a) { return reinterpret_cast<const void *>(a); };
    EXPECT_EQ(lines_touched(at(0x1000), 0), 0u);
    EXPECT_EQ(lines_touched(at(0x1000), 1), 1u);
    EXPECT_EQ(lines_touched(at(0x1000), 64), 1u);
    EXPECT_EQ(lines_touched(at(0x1000), 65), 2u);
    EXPECT_EQ(lines_touched(at(0x103f), 2), 2u);    // the last byte of one line and the first of the next
    EXPECT_EQ(lines_touched(at(0x1010), 184), 4u);  // 184 bytes from 16 into a line: ceil(184 / 64) lines would miss one
    EXPECT_EQ(lines_touched(at(0x1010), 48), 1u);
}

TEST(PrefetchBytes, AnObjectStateStartsALineAndFillsThreeWhereverItIsAllocated)
{
    static_assert(alignof(ObjectState) == cache_line);
    std::vector<std::unique_ptr<ObjectState>> states;
    for (int i = 0; i < 16; ++i) {
        states.push_back(std::make_unique<ObjectState>());
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(states.back().get()) % cache_line, 0u);
        EXPECT_EQ(lines_touched(states.back().get(), sizeof(ObjectState)), 3u);
    }
}

// Counts its live instances: every one the table made is destroyed exactly once.
struct Counted {
    static inline int live = 0;
    std::uint64_t id = 0;
    explicit Counted(std::uint64_t i) : id(i) { ++live; }
    Counted(Counted &&o) noexcept : id(o.id) { ++live; }
    Counted(const Counted &) = delete;
    ~Counted() { --live; }
};

TEST(KeyedTable, DestroysEveryValueOnceWhetherErasedClearedOrLeftInTheTable)
{
    Counted::live = 0;
    {
        KeyedTable<Counted> table;
        for (std::uint64_t k = 0; k < 300; ++k) // more than one chunk of values
            table.insert(1, k, Counted(k));
        EXPECT_EQ(Counted::live, 300);
        for (std::uint64_t k = 0; k < 300; k += 3)
            table.erase(1, k);
        EXPECT_EQ(Counted::live, 200);
        EXPECT_EQ(table.find(1, 3), nullptr);
        ASSERT_NE(table.find(1, 4), nullptr);
        EXPECT_EQ(table.find(1, 4)->id, 4u);
        table.clear();
        EXPECT_EQ(Counted::live, 0);
        for (std::uint64_t k = 0; k < 70; ++k)
            table.insert(2, k, Counted(k));
        EXPECT_EQ(Counted::live, 70);
    } // the rest go with the table
    EXPECT_EQ(Counted::live, 0);
}

TEST(KeyedTable, AnErasedValuesRoomIsTakenByTheNextInsertAndEveryValueKeepsItsAlignment)
{
    ObjectTable table;
    std::vector<ObjectState *> states;
    for (std::uint64_t k = 0; k < 200; ++k) {
        states.push_back(&table.insert(1, k * 64, state_of(1, k * 64)));
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(states.back()) % alignof(ObjectState), 0u);
    }
    table.erase(1, 7 * 64);
    ObjectState &again = table.insert(1, 0x99999, state_of(1, 0x99999));
    EXPECT_EQ(&again, states[7]); // no allocation: the erased generation's room
    EXPECT_EQ(again.key.obj, 0x99999u);
    EXPECT_EQ(table.find(1, 0x99999), &again);
    for (std::uint64_t k = 0; k < 200; ++k) { // the others never moved
        if (k != 7) {
            EXPECT_EQ(table.find(1, k * 64), states[k]);
        }
    }
}

TEST(KeyedTable, TheRoomOfAnErasedValueIsPoisonedUnderAddressSanitizer)
{
#ifndef REFBLAME_ASAN
    GTEST_SKIP() << "not an AddressSanitizer build (the sanitizer build of CI runs it)";
#else
    ObjectTable table;
    ObjectState *a = &table.insert(1, 64, state_of(1, 64));
    ObjectState *b = &table.insert(1, 128, state_of(1, 128));
    EXPECT_FALSE(__asan_address_is_poisoned(a));
    table.erase(1, 64);
    EXPECT_TRUE(__asan_address_is_poisoned(a)); // a pointer kept past erase() fails as after free()
    EXPECT_TRUE(__asan_address_is_poisoned(reinterpret_cast<char *>(a) + sizeof(ObjectState) - 1));
    EXPECT_FALSE(__asan_address_is_poisoned(b));
    EXPECT_TRUE(__asan_address_is_poisoned(b + 1)); // a room never handed out
    ObjectState *again = &table.insert(1, 192, state_of(1, 192));
    ASSERT_EQ(again, a);
    EXPECT_FALSE(__asan_address_is_poisoned(a));
    EXPECT_EQ(table.find(1, 192)->key.obj, 192u);
#endif
}

} // namespace
} // namespace refblame::analyzer::replay
