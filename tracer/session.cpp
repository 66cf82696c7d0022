// session.cpp: RAII over one LTTng recording session: create (local output), start, stop (waiting for data, bounded), destroy.
#include "session.hpp"

#include "daemon_call.hpp"
#include "lttng_ctl.hpp"
#include "lttng_error.hpp"
#include "user_error.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace refblame::tracer {

namespace {

struct DescriptorDeleter {
    void operator()(lttng_session_descriptor *d) const { ctl().lttng_session_descriptor_destroy(d); }
};
struct DestructionHandleDeleter {
    void operator()(lttng_destruction_handle *h) const { ctl().lttng_destruction_handle_destroy(h); }
};

// Bytes of every file below `dir` (what the consumer daemon has written so far).
std::uintmax_t bytes_below(const std::filesystem::path &dir)
{
    std::uintmax_t total = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec))
            total += it->file_size(ec);
    return total;
}

} // namespace

Session::Session(std::string name, const std::filesystem::path &output) : name_(std::move(name)), output_(output)
{
    std::unique_ptr<lttng_session_descriptor, DescriptorDeleter> descriptor(
        ctl().lttng_session_descriptor_local_create(name_.c_str(), output.c_str()));
    if (!descriptor)
        throw UserError("LTTng: cannot describe a session writing to " + output.string() +
                        ": the output directory must be an absolute path");
    check_lttng(ctl().lttng_create_session_ext(descriptor.get()), "creating session " + name_);
    alive_ = true;
}

Session::~Session()
{
    if (!alive_ || abandoned_)
        return;
    // Error path: leave nothing of ours behind in the daemon.
    int rc = ctl().lttng_destroy_session(name_.c_str());
    if (rc < 0)
        std::fprintf(stderr, "refblame: warning: could not destroy LTTng session %s: %s\n", name_.c_str(),
                     lttng_reason(rc).c_str());
}

void Session::start()
{
    check_lttng(ctl().lttng_start_tracing(name_.c_str()), "starting session " + name_);
    started_ = true;
}

bool Session::stop(std::chrono::milliseconds stall)
{
    if (!started_)
        return true;
    started_ = false;
    using clock = std::chrono::steady_clock;
    DaemonCall call([name = name_] {
        check_lttng(ctl().lttng_stop_tracing_no_wait(name.c_str()), "stopping session " + name);
        // liblttng-ctl's waiting stop asks every 200 ms; the buffers of a short run
        // reach the trace in a few, so ask sooner first.
        auto pause = std::chrono::milliseconds(1);
        while (int pending = ctl().lttng_data_pending(name.c_str())) {
            check_lttng(std::min(pending, 0), "waiting for the trace of session " + name);
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::milliseconds(100));
        }
    });
    const clock::time_point begin = clock::now();
    clock::time_point progress = begin;
    std::uintmax_t written = 0;
    bool said = false;
    const bool done = call.wait([&] {
        const clock::time_point now = clock::now();
        if (!said && now - begin >= std::chrono::seconds(3)) {
            std::fprintf(stderr, "refblame: waiting for LTTng to write the rest of the trace to %s\n", output_.c_str());
            said = true;
        }
        if (stall.count() == 0)
            return false;
        if (const std::uintmax_t bytes = bytes_below(output_); bytes != written) {
            written = bytes;
            progress = now;
        }
        return now - progress >= stall;
    });
    abandoned_ = !done;
    return done;
}

void Session::destroy(bool wait)
{
    if (!alive_ || abandoned_)
        return;
    alive_ = false;
    if (!wait) {
        check_lttng(ctl().lttng_destroy_session_no_wait(name_.c_str()), "destroying session " + name_);
        return;
    }
    lttng_destruction_handle *raw = nullptr;
    check_lttng(ctl().lttng_destroy_session_ext(name_.c_str(), &raw), "destroying session " + name_);
    std::unique_ptr<lttng_destruction_handle, DestructionHandleDeleter> handle(raw);
    if (ctl().lttng_destruction_handle_wait_for_completion(handle.get(), -1) !=
        LTTNG_DESTRUCTION_HANDLE_STATUS_COMPLETED)
        throw UserError("LTTng: waiting for session " + name_ + " to be destroyed failed");
    lttng_error_code result = LTTNG_OK;
    if (ctl().lttng_destruction_handle_get_result(handle.get(), &result) != LTTNG_DESTRUCTION_HANDLE_STATUS_OK)
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
