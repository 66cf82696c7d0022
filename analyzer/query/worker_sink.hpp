// worker_sink.hpp: hands the events a reader produces to another sink on a worker thread, in batches, so decoding and analysis overlap.
#pragma once

#include "model/event.hpp"
#include "replay/object_table.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace refblame::analyzer::query {

// Events and losses reach `target` in the order they were given, on one
// worker thread; module and stack events are not forwarded (the reader's
// own consumers take them on its thread). At most `max_batches` batches wait:
// memory stays flat. The default queue (64 x 1024 events, ~6 MiB, made by the worker while it waits)
// lets whichever thread is ahead at a time run on while the other catches up: with 4 x 4096, each waited
// for the other in turn (10 M events, 10 interleaved rounds: events/s 0.654x -> 0.757x the dummy sink's,
// median). An exception in `target` stops the worker and is rethrown to the producer (at its next hand-over
// or at finish(), and at every one after). Sizes of 0 count as 1.
class WorkerSink final : public EventSink {
public:
    explicit WorkerSink(EventSink &target, std::size_t batch_events = 1024, std::size_t max_batches = 64);
    ~WorkerSink() override; // stops the worker if finish() was not called
    WorkerSink(const WorkerSink &) = delete;
    WorkerSink &operator=(const WorkerSink &) = delete;

    void on_event(const Event &e) override;
    void on_module(const ModuleEvent &) override {}
    void on_loss(const Loss &l) override;

    // Waits until `target` has seen everything; rethrows its exception.
    void finish();

private:
    struct Batch {
        Batch() = default;
        explicit Batch(std::size_t slots) : events(slots) {}
        std::vector<Event> events; // always batch_events_ long: the first `used` are this batch's
        std::size_t used = 0;
        std::vector<std::pair<std::size_t, Loss>> losses; // (events before it in this batch, loss)
    };
    void push();
    void run();
    void stop();

    EventSink &target_;
    std::size_t batch_events_, max_batches_;
    std::size_t wake_batches_; // batches waiting before an idle worker is woken (max_batches_ at most)
    // The reader writes filling_.used at every event: on a cache line of its own. Beside target_ (which the
    // worker reads at every event), the line moved between the CPUs at nearly every event: WorkerSink::run
    // was 4.4 % of a 10 M-event `blockers`' samples on that load, 0.8 % apart.
    alignas(replay::cache_line) Batch filling_;
    alignas(replay::cache_line) std::mutex mutex_; // what follows is written once per batch, by either thread
    std::condition_variable changed_;
    std::deque<Batch> queue_;
    std::vector<Batch> spare_; // emptied batches, reused (no allocation per batch)
    std::size_t made_ = 0;     // batches made besides the first: max_batches_ at most
    bool closing_ = false, failed_ = false;
    bool started_ = false; // the reader handed over its first batch: the worker may make the others
    std::exception_ptr error_;
    std::thread worker_;
};

} // namespace refblame::analyzer::query
