// daemon_call.cpp: a liblttng-ctl request run on a thread of its own, so that refblame can stop waiting for a session daemon that hangs.
#include "daemon_call.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

namespace refblame::tracer {

struct DaemonCall::State {
    std::function<void()> work;
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::exception_ptr error;
    std::thread thread;

    static void run(const std::shared_ptr<State> &s)
    {
        try {
            s->work();
        } catch (...) {
            s->error = std::current_exception();
        }
        std::lock_guard lock(s->m);
        s->done = true;
        s->cv.notify_all();
    }
};

DaemonCall::DaemonCall(std::function<void()> work) : state_(std::make_shared<State>())
{
    state_->work = std::move(work);
    try {
        state_->thread = std::thread(State::run, state_);
    } catch (const std::system_error &) { // no thread to be had: the call on this one, unbounded
        State::run(state_);
    }
}

DaemonCall::~DaemonCall()
{
    if (!state_->thread.joinable())
        return;
    bool done = false;
    {
        std::lock_guard lock(state_->m);
        done = state_->done;
    }
    if (done)
        state_->thread.join();
    else
        state_->thread.detach(); // blocked in liblttng-ctl: it ends with the daemon or with the process
}

bool DaemonCall::wait(const std::function<bool()> &give_up)
{
    std::unique_lock lock(state_->m);
    while (!state_->cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return state_->done; })) {
        lock.unlock();
        const bool stop = give_up();
        lock.lock();
        if (stop && !state_->done)
            return false;
    }
    lock.unlock();
    if (state_->thread.joinable())
        state_->thread.join();
    if (state_->error)
        std::rethrow_exception(state_->error);
    return true;
}

} // namespace refblame::tracer
