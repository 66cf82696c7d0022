// worker_sink.hpp: runs the reader on a thread of its own and hands its events, in batches, to a sink on the calling thread, so decoding and analysis overlap.
#pragma once

#include "model/event.hpp"
#include "replay/object_table.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace refblame::analyzer::query {

// Events and losses reach `target` in the order they were given, on the calling
// thread, while the producer (the reader) runs on a thread of its own; module and
// stack events are not forwarded (the reader's own consumers take them on its
// thread). At most `max_batches` batches wait: memory stays flat. The default queue
// (64 x 1024 events, ~6 MiB, made on the target's thread while it waits) lets
// whichever thread is ahead at a time run on while the other catches up: with
// 4 x 4096, each waited for the other in turn (10 M events, 10 interleaved rounds:
// events/s 0.654x -> 0.757x the dummy sink's, median). Sizes of 0 count as 1.
//
// The reader gets the new thread, not the analysis: glibc gives a new thread a malloc arena of its own (up to
// M_ARENA_MAX), so the analysis keeps the calling thread's, the main arena, which the pairing analyses grow
// on huge pages (huge_heap.hpp), and its memory does not interleave with the reader's (see read_into).
class WorkerSink final : public EventSink {
public:
    // Runs `produce` on a new thread with a WorkerSink to give its events to, and hands them to `target` here.
    // Returns when `produce` has returned and `target` has seen everything. An exception of `target` stops it
    // and reaches `produce` at its next hand-over (and at every one after); what `produce` throws is
    // rethrown here, else an exception of `target`'s after `produce` was done. No thread to be had:
    // `produce` gives its events to `target` directly, on this thread.
    static void run(EventSink &target, const std::function<void(EventSink &)> &produce,
                    std::size_t batch_events = 1024, std::size_t max_batches = 64);

    WorkerSink(const WorkerSink &) = delete;
    WorkerSink &operator=(const WorkerSink &) = delete;

    void on_event(const Event &e) override;
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override;

private:
    struct Batch {
        Batch() = default;
        explicit Batch(std::size_t slots) : events(slots) {}
        std::vector<Event> events; // always batch_events_ long: the first `used` are this batch's
        std::size_t used = 0;
        std::vector<std::pair<std::size_t, Loss>> losses; // (events before it in this batch, loss)
    };
    WorkerSink(EventSink &target, std::size_t batch_events, std::size_t max_batches);
    void push();
    void consume(); // target's side: until the producer is done and every batch handed over was handed on
    void close();   // producer's side: the last batch handed over
    void abandon(); // producer's side: it failed; what waits is dropped

    EventSink &target_;
    std::size_t batch_events_, max_batches_;
    std::size_t wake_batches_; // batches waiting before an idle target's thread is woken (max_batches_ at most)
    // The reader writes filling_.used at every event: on a cache line of its own. Beside target_ (which the
    // target's thread reads at every event), the line moved between the CPUs at nearly every event: the
    // worker's loop was 4.4 % of a 10 M-event `blockers`' samples on that load, 0.8 % apart.
    alignas(replay::cache_line) Batch filling_;
    alignas(replay::cache_line) std::mutex mutex_; // what follows is written once per batch, by either thread
    std::condition_variable changed_;
    std::deque<Batch> queue_;
    std::vector<Batch> spare_; // emptied batches, reused (no allocation per batch)
    std::size_t made_ = 0;     // batches made besides the first: max_batches_ at most
    bool closing_ = false, failed_ = false;
    bool started_ = false; // the reader handed over its first batch: the target's thread may make the others
    std::exception_ptr error_; // the target's
};

} // namespace refblame::analyzer::query
