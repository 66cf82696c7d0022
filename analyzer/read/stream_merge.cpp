// stream_merge.cpp: per-input batches from bt_message_iterator_next, a min-heap on head times.
#include "read/stream_merge.hpp"

#include <utility>

namespace refblame::analyzer {

void StreamMerge::add(bt::MessageIterator it)
{
    Input in;
    in.it = std::move(it);
    inputs_.push_back(std::move(in));
}

void StreamMerge::time_head(Input &in)
{
    const bt_message *msg = in.msgs[in.index];
    in.head_timed = false;
    if (bt_message_get_type(msg) != BT_MESSAGE_TYPE_EVENT)
        return;
    if (in.clocked < 0) // one input is one CTF stream: one stream class
        in.clocked = bt_message_event_borrow_stream_class_default_clock_class_const(msg) != nullptr;
    std::int64_t ns = 0;
    if (in.clocked && bt_clock_snapshot_get_ns_from_origin(bt_message_event_borrow_default_clock_snapshot_const(msg),
                                                           &ns) == BT_CLOCK_SNAPSHOT_GET_NS_FROM_ORIGIN_STATUS_OK) {
        in.head_ns = ns;
        in.head_timed = true;
    }
}

StreamMerge::Status StreamMerge::fill(Input &in)
{
    while (in.index >= in.count && !in.done) {
        in.msgs = nullptr;
        in.count = in.index = 0;
        switch (bt_message_iterator_next(in.it.get(), &in.msgs, &in.count)) {
        case BT_MESSAGE_ITERATOR_NEXT_STATUS_OK: break;
        case BT_MESSAGE_ITERATOR_NEXT_STATUS_END:
            in.done = true;
            in.count = 0;
            break;
        case BT_MESSAGE_ITERATOR_NEXT_STATUS_AGAIN: in.count = 0; return Status::again;
        case BT_MESSAGE_ITERATOR_NEXT_STATUS_MEMORY_ERROR: in.count = 0; return Status::memory_error;
        default: in.count = 0; return Status::error;
        }
    }
    if (!in.done)
        time_head(in);
    return Status::ok;
}

bool StreamMerge::before(std::size_t a, std::size_t b) const
{
    const std::int64_t ta = inputs_[a].head_ns, tb = inputs_[b].head_ns;
    return ta != tb ? ta < tb : a < b;
}

void StreamMerge::sift_down(std::size_t i)
{
    const std::size_t n = heap_.size();
    for (;;) {
        std::size_t best = i, l = 2 * i + 1, r = l + 1;
        if (l < n && before(heap_[l], heap_[best]))
            best = l;
        if (r < n && before(heap_[r], heap_[best]))
            best = r;
        if (best == i)
            return;
        std::swap(heap_[i], heap_[best]);
        i = best;
    }
}

StreamMerge::Status StreamMerge::next(const bt_message *&msg, std::uint64_t &ns)
{
    if (!started_) {
        for (Input &in : inputs_) // fill() is a no-op for inputs already filled on an earlier `again`
            if (Status s = fill(in); s != Status::ok)
                return s;
        for (std::size_t i = 0; i < inputs_.size(); ++i)
            if (!inputs_[i].done)
                heap_.push_back(i);
        for (std::size_t i = heap_.size() / 2; i-- > 0;)
            sift_down(i);
        started_ = true;
    }
    if (pending_ != SIZE_MAX) { // the top input gave its head away: its next message takes its place
        if (Status s = fill(inputs_[pending_]); s != Status::ok)
            return s;
        if (inputs_[pending_].done) {
            heap_[0] = heap_.back();
            heap_.pop_back();
        }
        if (!heap_.empty())
            sift_down(0);
        pending_ = SIZE_MAX;
    }
    if (heap_.empty())
        return Status::end;
    const std::size_t i = heap_[0];
    Input &in = inputs_[i];
    msg = in.msgs[in.index++];
    ns = in.head_timed && in.head_ns > 0 ? static_cast<std::uint64_t>(in.head_ns) : 0;
    pending_ = i;
    return Status::ok;
}

void StreamMerge::reset()
{
    for (Input &in : inputs_) {
        for (std::uint64_t k = in.index; k < in.count; ++k)
            bt_message_put_ref(in.msgs[k]);
        in.count = in.index = 0;
        in.it.reset();
    }
    inputs_.clear();
    heap_.clear();
    pending_ = SIZE_MAX;
    started_ = false;
}

} // namespace refblame::analyzer
