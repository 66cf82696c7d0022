// worker_sink.cpp: the bounded batch queue between the reader's thread and the analysis's.
#include "query/worker_sink.hpp"

#include "replay/object_table.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <system_error>
#include <thread>
#include <type_traits>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace refblame::analyzer::query {

namespace {

constexpr std::size_t event_distance = 2 * prefetch_distance[0]; // events ahead whose own memory is loaded
// The reader writes each event into the batch with non-temporal stores, straight to memory. A batch was last
// read on the target's thread, so with ordinary stores its lines sat in the other CPU's cache: each store waited for a
// line's transfer, and the reader's thread stalled on whichever store came next once its store buffer was
// full (perf, blockers on 10 M events: our samples during the read piled on one store in decode or
// on_message, 0.46-0.75x as many as Babeltrace2's CTF plugin's, the more the busier the machine; with the
// batch's writes left out in a throwaway build, 0.10x). Streamed: 0.11-0.15x. Taking the lines for writing
// 16 events ahead (prefetchw, ed118b8) reached 0.12-0.48x.
static_assert(std::is_trivially_copyable_v<Event> && sizeof(Event) % sizeof(long long) == 0 &&
              alignof(Event) >= alignof(long long));

void stream_copy(Event &to, const Event &from)
{
#if defined(__x86_64__)
    long long words[sizeof(Event) / sizeof(long long)];
    std::memcpy(words, &from, sizeof words);
    auto *out = reinterpret_cast<long long *>(&to); // an Event's storage, written as words: `to` is trivially copyable
    for (std::size_t i = 0; i < std::size(words); ++i)
        _mm_stream_si64(out + i, words[i]);
#else
    to = from;
#endif
}

} // namespace

WorkerSink::WorkerSink(EventSink &target, std::size_t batch_events, std::size_t max_batches)
    : target_(target), batch_events_(std::max<std::size_t>(batch_events, 1)),
      max_batches_(std::max<std::size_t>(max_batches, 1)), wake_batches_(std::min<std::size_t>(max_batches_, 8)),
      filling_(batch_events_)
{
    // The other batches are made on the target's thread while it waits (consume()): every one the queue can
    // hold, so that the peak memory does not depend on how far behind the target fell in a run (it did, by up
    // to 6 MiB between runs on one trace, when they were made as needed). Made before the read, their 6 MiB
    // took 15-20 ms (page faults mostly) before the first event. They are made from the first hand-over
    // (push()) on: made while the reader loaded the ctf plugin and opened the trace, their page faults
    // slowed that on the other CPU (10 k-event trace, from the read's call to its first event: 8.4-8.9 ->
    // 5.6-6.2 ms, medians of 15; the query's CPU time 0.93x, n=41).
    spare_.reserve(max_batches_ + 1);
}

void WorkerSink::run(EventSink &target, const std::function<void(EventSink &)> &produce, std::size_t batch_events,
                     std::size_t max_batches)
{
    WorkerSink sink(target, batch_events, max_batches);
    std::exception_ptr produce_error;
    std::thread producer;
    try {
        producer = std::thread([&] {
            try {
                produce(sink);
                sink.close();
            } catch (...) {
                produce_error = std::current_exception();
                sink.abandon();
            }
        });
    } catch (const std::system_error &) { // no thread to be had
        produce(target);
        return;
    }
    try {
        sink.consume();
    } catch (...) { // not the target's (consume() keeps those for the producer): let the producer fail too
        {
            std::lock_guard lock(sink.mutex_);
            sink.failed_ = true;
            sink.error_ = std::current_exception();
            sink.changed_.notify_all();
        }
        producer.join();
        throw;
    }
    producer.join();
    if (produce_error)
        std::rethrow_exception(produce_error);
    if (sink.failed_)
        std::rethrow_exception(sink.error_);
}

void WorkerSink::on_event(const Event &e)
{
    if (filling_.used == batch_events_) // handed over only now: a hand-over that failed leaves it full, to fail again
        push();
    stream_copy(filling_.events[filling_.used++], e);
}

void WorkerSink::on_loss(const Loss &l)
{
    filling_.losses.emplace_back(filling_.used, l);
}

void WorkerSink::push()
{
#if defined(__x86_64__)
    _mm_sfence(); // the batch's streamed stores are visible before the target's thread can take it
#endif
    // Room in the queue, and the next batch to fill: a spare one, else a new one while fewer than max_batches_
    // were made (the target's thread makes them while it waits), else the next one it hands back. The batch
    // filled is given up only then: whatever throws here leaves it as it was.
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] {
        return failed_ || (queue_.size() < max_batches_ && (!spare_.empty() || made_ < max_batches_));
    });
    if (!started_) { // the read is under way: the target's thread makes the other batches from now on
        started_ = true;
        changed_.notify_all();
    }
    if (failed_)
        std::rethrow_exception(error_);
    Batch next;
    if (!spare_.empty()) {
        next = std::move(spare_.back());
        spare_.pop_back();
    } else {
        ++made_;
        lock.unlock();
        try {
            next = Batch(batch_events_);
        } catch (...) {
            lock.lock();
            --made_;
            throw;
        }
        lock.lock();
    }
    queue_.push_back(std::move(filling_));
    filling_ = std::move(next);
    if (queue_.size() >= wake_batches_) // what an idle target's thread waits for (consume())
        changed_.notify_all();
}

void WorkerSink::consume()
{
    for (;;) {
        Batch b;
        bool make = false; // nothing to analyze yet: make a batch for the reader to fill
        {
            std::unique_lock lock(mutex_);
            // With nothing queued, wait for wake_batches_: woken at every batch, a target that kept ahead of
            // the reader slept and woke a thousand times per million events, each time a futex call on
            // both sides and a cross-CPU wake-up, which this VM pays for dearly (stats, 1 M events: 2509
            // futex calls; 8 % of the samples in the kernel against the dummy sink's 1.7 %). The reader
            // cannot wait for it then: it waits only when every batch is queued (push()). The producer's end
            // (closing_) wakes it too.
            const std::size_t enough = queue_.empty() ? wake_batches_ : 1;
            changed_.wait(lock,
                         [&] { return queue_.size() >= enough || closing_ || (started_ && made_ < max_batches_); });
            if (queue_.empty() && closing_)
                return;
            if (queue_.empty()) {
                ++made_;
                make = true;
            } else {
                b = std::move(queue_.front());
                queue_.pop_front();
                changed_.notify_all();
            }
        }
        try {
            if (make) {
                Batch fresh(batch_events_); // allocated and written here: off the reader's thread, in this one's arena
                std::lock_guard lock(mutex_);
                spare_.push_back(std::move(fresh));
                changed_.notify_all();
                continue;
            }
            std::size_t next_loss = 0;
            for (std::size_t i = 0; i < b.used; ++i) {
                while (next_loss < b.losses.size() && b.losses[next_loss].first <= i)
                    target_.on_loss(b.losses[next_loss++].second);
                // The reader's thread streamed the batch to memory: the first stage's access to an event
                // would wait for it.
                if (i + event_distance < b.used)
                    replay::prefetch_bytes(&b.events[i + event_distance], sizeof(Event));
                prefetch_ahead(target_, b.used, i, [&](std::size_t k) -> const Event & { return b.events[k]; });
                target_.on_event(b.events[i]);
            }
            while (next_loss < b.losses.size())
                target_.on_loss(b.losses[next_loss++].second);
        } catch (...) { // from the target, or no memory for a batch
            std::lock_guard lock(mutex_);
            error_ = std::current_exception();
            failed_ = true;
            queue_.clear();
            changed_.notify_all();
            return;
        }
        b.used = 0;
        b.losses.clear();
        std::lock_guard lock(mutex_);
        spare_.push_back(std::move(b));
        changed_.notify_all(); // the reader may be waiting for it
    }
}

void WorkerSink::close()
{
    if (filling_.used > 0 || !filling_.losses.empty())
        push();
    std::lock_guard lock(mutex_);
    closing_ = true;
    changed_.notify_all();
}

void WorkerSink::abandon()
{
    std::lock_guard lock(mutex_);
    queue_.clear(); // the producer failed: nothing more to analyze
    closing_ = true;
    changed_.notify_all();
}

} // namespace refblame::analyzer::query
