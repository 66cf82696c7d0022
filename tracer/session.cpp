// session.cpp: RAII over one LTTng recording session: create (local output), start, stop (waiting for data), destroy.
#include "session.hpp"

#include "lttng_error.hpp"
#include "user_error.hpp"

#include <lttng/lttng.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <unistd.h>

namespace refblame::tracer {

namespace {

struct DescriptorDeleter {
    void operator()(lttng_session_descriptor *d) const { lttng_session_descriptor_destroy(d); }
};
struct DestructionHandleDeleter {
    void operator()(lttng_destruction_handle *h) const { lttng_destruction_handle_destroy(h); }
};

} // namespace

Session::Session(std::string name, const std::filesystem::path &output) : name_(std::move(name))
{
    std::unique_ptr<lttng_session_descriptor, DescriptorDeleter> descriptor(
        lttng_session_descriptor_local_create(name_.c_str(), output.c_str()));
    if (!descriptor)
        throw UserError("LTTng: cannot describe a session writing to " + output.string() +
                        ": the output directory must be an absolute path");
    check_lttng(lttng_create_session_ext(descriptor.get()), "creating session " + name_);
    alive_ = true;
}

Session::~Session()
{
    if (!alive_)
        return;
    // Error path: leave nothing of ours behind in the daemon.
    int rc = lttng_destroy_session(name_.c_str());
    if (rc < 0)
        std::fprintf(stderr, "refblame: warning: could not destroy LTTng session %s: %s\n", name_.c_str(),
                     lttng_reason(rc).c_str());
}

void Session::start()
{
    check_lttng(lttng_start_tracing(name_.c_str()), "starting session " + name_);
    started_ = true;
}

void Session::stop()
{
    if (!started_)
        return;
    started_ = false;
    check_lttng(lttng_stop_tracing_no_wait(name_.c_str()), "stopping session " + name_);
    // liblttng-ctl's waiting stop asks every 200 ms; the buffers of a short run
    // reach the trace in a few, so ask sooner first.
    auto pause = std::chrono::milliseconds(1);
    while (int pending = lttng_data_pending(name_.c_str())) {
        check_lttng(std::min(pending, 0), "waiting for the trace of session " + name_);
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(100));
    }
}

void Session::destroy(bool wait)
{
    if (!alive_)
        return;
    alive_ = false;
    if (!wait) {
        check_lttng(lttng_destroy_session_no_wait(name_.c_str()), "destroying session " + name_);
        return;
    }
    lttng_destruction_handle *raw = nullptr;
    check_lttng(lttng_destroy_session_ext(name_.c_str(), &raw), "destroying session " + name_);
    std::unique_ptr<lttng_destruction_handle, DestructionHandleDeleter> handle(raw);
    if (lttng_destruction_handle_wait_for_completion(handle.get(), -1) != LTTNG_DESTRUCTION_HANDLE_STATUS_COMPLETED)
        throw UserError("LTTng: waiting for session " + name_ + " to be destroyed failed");
    lttng_error_code result = LTTNG_OK;
    if (lttng_destruction_handle_get_result(handle.get(), &result) != LTTNG_DESTRUCTION_HANDLE_STATUS_OK)
        throw UserError("LTTng: reading the result of destroying session " + name_ + " failed");
    check_lttng(result, "destroying session " + name_);
}

std::string unique_session_name()
{
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    return "refblame-" + std::to_string(getpid()) + "-" + std::to_string(ns);
}

} // namespace refblame::tracer
