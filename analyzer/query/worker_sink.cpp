// worker_sink.cpp: the bounded batch queue between the reader's thread and the worker.
#include "query/worker_sink.hpp"

#include "replay/object_table.hpp"

namespace refblame::analyzer::query {

namespace {

constexpr std::size_t event_distance = 2 * prefetch_distance[0]; // events ahead whose own memory is loaded
// Slots of the batch being filled that the reader takes for writing ahead of its stores. The batch was last
// read by the worker, so its lines sit in the other CPU's cache: each store waited for a line's transfer,
// and the reader's thread stalled on whichever store came next once its store buffer was full (perf, blockers
// on 10 M events: our samples during the read piled on one store in decode or on_message, 0.16-0.75x as many
// as Babeltrace2's CTF plugin's, median 0.62x over 6 runs, the more the busier the machine; with the batch's
// writes left out, 0.10x). Taken 16 slots ahead: 0.12-0.48x, median 0.26x over 10 runs, and 6 interleaved
// rounds against the build before: wall 0.93x, CPU 0.95x (medians of the paired ratios), the same output.
constexpr std::size_t write_distance = 16;

} // namespace

WorkerSink::WorkerSink(EventSink &target, std::size_t batch_events, std::size_t max_batches)
    : target_(target), batch_events_(batch_events), max_batches_(max_batches)
{
    // Every batch the queue can hold, allocated and written now: the peak memory does not depend on how
    // far behind the worker fell in a run (it did: by up to 6 MiB between runs on one trace).
    spare_.resize(max_batches_);
    for (Batch &b : spare_) {
        b.events.resize(batch_events_);
        b.events.clear(); // the capacity, its pages touched, stays
    }
    filling_.events.reserve(batch_events_);
    worker_ = std::thread([this] { run(); });
}

WorkerSink::~WorkerSink()
{
    {
        std::lock_guard lock(mutex_);
        queue_.clear(); // abandoned (the producer failed): nothing more to analyze
    }
    stop();
}

void WorkerSink::on_event(const Event &e)
{
    std::vector<Event> &v = filling_.events;
    if (v.size() + write_distance < v.capacity()) // within the batch's storage: the slot is allocated
        replay::prefetch_bytes(v.data() + v.size() + write_distance, sizeof(Event), true);
    v.push_back(e);
    if (filling_.events.size() >= batch_events_)
        push();
}

void WorkerSink::on_loss(const Loss &l)
{
    filling_.losses.emplace_back(filling_.events.size(), l);
}

void WorkerSink::push()
{
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < max_batches_ || failed_; });
    if (failed_)
        std::rethrow_exception(error_);
    queue_.push_back(std::move(filling_));
    if (spare_.empty()) {
        filling_ = Batch{};
        filling_.events.reserve(batch_events_);
    } else {
        filling_ = std::move(spare_.back());
        spare_.pop_back();
    }
    changed_.notify_all();
}

void WorkerSink::run()
{
    for (;;) {
        Batch b;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
            if (queue_.empty())
                return;
            b = std::move(queue_.front());
            queue_.pop_front();
            changed_.notify_all();
        }
        try {
            std::size_t next_loss = 0;
            for (std::size_t i = 0; i < b.events.size(); ++i) {
                while (next_loss < b.losses.size() && b.losses[next_loss].first <= i)
                    target_.on_loss(b.losses[next_loss++].second);
                // The reader's thread wrote the batch: its lines are in the other CPU's cache, and the
                // first stage's access to an event would wait for their transfer.
                if (i + event_distance < b.events.size())
                    replay::prefetch_bytes(&b.events[i + event_distance], sizeof(Event));
                prefetch_ahead(target_, b.events.size(), i, [&](std::size_t k) -> const Event & { return b.events[k]; });
                target_.on_event(b.events[i]);
            }
            while (next_loss < b.losses.size())
                target_.on_loss(b.losses[next_loss++].second);
        } catch (...) {
            std::lock_guard lock(mutex_);
            error_ = std::current_exception();
            failed_ = true;
            queue_.clear();
            changed_.notify_all();
            return;
        }
        b.events.clear();
        b.losses.clear();
        std::lock_guard lock(mutex_);
        if (spare_.size() < max_batches_)
            spare_.push_back(std::move(b));
    }
}

void WorkerSink::stop()
{
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
        changed_.notify_all();
    }
    if (worker_.joinable())
        worker_.join();
}

void WorkerSink::finish()
{
    if (!filling_.events.empty() || !filling_.losses.empty())
        push();
    stop();
    if (failed_)
        std::rethrow_exception(error_);
}

} // namespace refblame::analyzer::query
