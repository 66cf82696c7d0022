// worker_sink_test.cpp: the target, on the calling thread, sees every event and loss of the producer's thread in order, and failures reach the caller.
#include "prefetch_check.hpp"
#include "query/worker_sink.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>

namespace refblame::analyzer::query {
namespace {

struct Record final : EventSink {
    std::vector<std::uint64_t> seen; // event times; a loss records its begin_ns + 1'000'000
    std::uint64_t throw_at = 0;      // throw on the event with this time (0: never)
    std::chrono::microseconds pause{0}; // per event: a target slower than the producer
    void on_event(const Event &e) override
    {
        if (pause.count() > 0)
            std::this_thread::sleep_for(pause);
        if (throw_at && e.time_ns == throw_at)
            throw std::runtime_error("analysis failed");
        seen.push_back(e.time_ns);
    }
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override { seen.push_back(l.begin_ns + 1'000'000); }
};

// Events stamped 1 to n.
void feed(EventSink &w, std::uint64_t n)
{
    for (std::uint64_t i = 1; i <= n; ++i) {
        Event e;
        e.time_ns = i;
        w.on_event(e);
    }
}

// A producer of events 1 to n.
std::function<void(EventSink &)> events_to(std::uint64_t n)
{
    return [n](EventSink &w) { feed(w, n); };
}

// Events 1 to n through a WorkerSink of these sizes into `target`; then they must all have arrived, in order.
void expect_all_delivered(Record &target, std::size_t batch_events, std::size_t max_batches, std::uint64_t n)
{
    WorkerSink::run(target, events_to(n), batch_events, max_batches);
    ASSERT_EQ(target.seen.size(), n);
    for (std::uint64_t i = 0; i < n; ++i)
        EXPECT_EQ(target.seen[i], i + 1);
}

TEST(WorkerSink, EventsAndLossesArriveInTheOrderGivenAcrossBatches)
{
    Record target;
    std::vector<std::uint64_t> want;
    WorkerSink::run(
        target,
        [&](EventSink &w) {
            for (std::uint64_t i = 1; i <= 1000; ++i) {
                Event e;
                e.time_ns = i;
                w.on_event(e);
                want.push_back(i);
                if (i % 13 == 0) {
                    Loss l;
                    l.begin_ns = i;
                    w.on_loss(l);
                    want.push_back(i + 1'000'000);
                }
            }
        },
        7, 2); // small batches: many hand-overs
    EXPECT_EQ(target.seen, want);
}

// The target gets its events on the calling thread (the one whose malloc arena the analysis should use),
// the producer runs on another.
TEST(WorkerSink, TheTargetRunsOnTheCallingThreadAndTheProducerOnAnother)
{
    struct Where final : EventSink {
        std::thread::id seen_on;
        void on_event(const Event &) override { seen_on = std::this_thread::get_id(); }
        void on_module(const ModuleEvent &) override {}
        void on_loss(const Loss &) override {}
    } target;
    std::thread::id produced_on;
    WorkerSink::run(target, [&](EventSink &w) {
        produced_on = std::this_thread::get_id();
        feed(w, 10);
    });
    EXPECT_EQ(target.seen_on, std::this_thread::get_id());
    EXPECT_NE(produced_on, std::this_thread::get_id());
    EXPECT_NE(produced_on, std::thread::id{});
}

TEST(WorkerSink, TheTargetIsToldOfEventsAheadWithinEachBatch)
{
    PrefetchCheck target;
    WorkerSink::run(target, events_to(1000), 100, 2);
    EXPECT_EQ(target.delivered, 1000u);
    EXPECT_TRUE(target.errors.empty()) << target.errors.front();
    EXPECT_TRUE(target.told.empty());
    EXPECT_EQ(target.all_stages, 1000u - 10 * prefetch_distance[0]); // all but the first of each batch of 100
}

TEST(WorkerSink, AnExceptionInTheTargetStopsTheProducerAndReachesTheCaller)
{
    Record target;
    target.throw_at = 50;
    std::uint64_t given = 0;
    EXPECT_THROW(WorkerSink::run(
                     target,
                     [&](EventSink &w) {
                         for (std::uint64_t i = 1; i <= 10'000; ++i) {
                             Event e;
                             e.time_ns = i;
                             w.on_event(e);
                             given = i;
                         }
                     },
                     8, 2),
                 std::runtime_error);
    EXPECT_LT(target.seen.size(), 50u);
    EXPECT_LT(given, 10'000u); // stopped at a hand-over after the failure
}

// After the failure reached it, a producer that goes on (more events, then returns) gets the failure again at
// every hand-over: no write past the full batch it was handing over, no crash (ASan), no hang; the caller
// gets it too.
TEST(WorkerSink, AProducerThatGoesOnAfterTheFailureGetsItAgain)
{
    Record target;
    target.throw_at = 5;
    int failures = 0;
    EXPECT_THROW(WorkerSink::run(
                     target,
                     [&](EventSink &w) {
                         for (std::uint64_t i = 1; i <= 200; ++i) {
                             Event e;
                             e.time_ns = i;
                             try {
                                 w.on_event(e);
                             } catch (const std::runtime_error &) {
                                 ++failures;
                             }
                         }
                     },
                     4, 1),
                 std::runtime_error);
    EXPECT_GT(failures, 1);
    EXPECT_EQ(target.seen.size(), 4u);
}

// A target slower than the producer: every batch there may be gets made and filled, and the producer waits for
// one the target's thread hands back (that thread makes the batches while it waits for events, the producer
// when it is first), then goes on; a failure of the target while it waits reaches it.
TEST(WorkerSink, AProducerAheadOfTheTargetWaitsForABatchHandedBack)
{
    Record slow;
    slow.pause = std::chrono::microseconds(20);
    expect_all_delivered(slow, 3, 2, 300);

    Record failing;
    failing.pause = std::chrono::microseconds(20);
    failing.throw_at = 30;
    EXPECT_THROW(WorkerSink::run(failing, events_to(300), 3, 2), std::runtime_error);
    EXPECT_EQ(failing.seen.size(), 29u);
}

// An idle target's thread is woken once several batches wait (8, or every batch the queue holds when fewer),
// and at the end: fewer than that, a slow target that fills the queue, and the default sizes still deliver all.
TEST(WorkerSink, ATargetWokenForSeveralBatchesAtOnceStillGetsEveryEvent)
{
    for (std::uint64_t n : {0u, 1u, 3u, 4u * 5, 4u * 8 + 1, 4u * 16 + 3, 5000u}) {
        Record target;
        expect_all_delivered(target, 4, 16, n);
    }
    for (std::uint64_t n : {100u, 1024u * 9 + 7}) {
        Record target;
        expect_all_delivered(target, 1024, 64, n);
    }
    Record slow; // the producer waits for batches handed back while the target has eight or more to do
    slow.pause = std::chrono::microseconds(5);
    expect_all_delivered(slow, 4, 16, 2000);
}

// Sizes of 0 count as 1: no write past a batch (ASan), no wait for room in a queue that holds nothing.
TEST(WorkerSink, ZeroSizesStillDeliverEveryEventInOrder)
{
    Record target;
    expect_all_delivered(target, 0, 0, 100);
}

// The producer fails (a trace that cannot be read): the target's side stops without hanging, what was
// queued is dropped, and the producer's exception, not another, reaches the caller.
TEST(WorkerSink, AProducerThatFailsStopsEverythingAndItsExceptionReachesTheCaller)
{
    for (std::uint64_t before : {0u, 3u, 100u}) {
        Record target;
        target.pause = std::chrono::microseconds(20);
        try {
            WorkerSink::run(
                target,
                [&](EventSink &w) {
                    feed(w, before);
                    throw std::invalid_argument("unreadable trace");
                },
                4, 1);
            ADD_FAILURE() << "no exception";
        } catch (const std::invalid_argument &e) {
            EXPECT_STREQ(e.what(), "unreadable trace");
        }
        EXPECT_LE(target.seen.size(), before);
    }
}

} // namespace
} // namespace refblame::analyzer::query
