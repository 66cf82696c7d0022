// process_tree.cpp: keeps a recording to the recorded program's own processes: a session traces every instrumented process on the machine, so each per-PID trace is classified (while its process is alive) and the others are removed.
#include "process_tree.hpp"

#include "user_error.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <system_error>
#include <unistd.h>

namespace refblame::tracer {

namespace fs = std::filesystem;

namespace {

// Parent pid from /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold spaces and parentheses).
pid_t parent_of(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat))
        return -1;
    std::size_t close = stat.rfind(')');
    if (close == std::string::npos)
        return -1;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    long ppid = -1;
    if (!(rest >> state >> ppid))
        return -1;
    return static_cast<pid_t>(ppid);
}

} // namespace

Membership membership_of(pid_t pid, pid_t ancestor)
{
    for (int depth = 0; depth < 4096; depth++) {
        if (pid == ancestor)
            return Membership::ours;
        if (pid <= 1)
            return Membership::foreign;
        pid = parent_of(pid);
        if (pid < 0)
            return Membership::unknown;
    }
    return Membership::unknown;
}

pid_t pid_of_trace_dir(const std::string &name)
{
    // Split from the right: the procname itself may contain '-'.
    std::size_t time_dash = name.rfind('-');
    if (time_dash == std::string::npos || time_dash == 0)
        return -1;
    std::size_t date_dash = name.rfind('-', time_dash - 1);
    if (date_dash == std::string::npos || date_dash == 0)
        return -1;
    std::size_t pid_dash = name.rfind('-', date_dash - 1);
    if (pid_dash == std::string::npos)
        return -1;
    const char *first = name.data() + pid_dash + 1, *last = name.data() + date_dash;
    pid_t pid = -1;
    auto [end, ec] = std::from_chars(first, last, pid);
    if (ec != std::errc() || end != last || pid <= 0)
        return -1;
    return pid;
}

ProcessTree::ProcessTree(const fs::path &trace_dir) : pid_dir_(trace_dir / "ust" / "pid"), self_(getpid())
{
    std::error_code ec;
    fs::create_directories(pid_dir_, ec);
    if (ec)
        throw UserError("output directory " + trace_dir.string() + ": cannot create " + pid_dir_.string() + ": " +
                        ec.message());
    inotify_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_ < 0 || inotify_add_watch(inotify_, pid_dir_.c_str(), IN_CREATE | IN_MOVED_TO | IN_ONLYDIR) < 0)
        throw UserError("cannot watch " + pid_dir_.string() + ": " + std::strerror(errno));
    // Orphans of the program are re-parented to us, not to init, so they
    // (and what they start later) still count as the program's.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
}

ProcessTree::~ProcessTree()
{
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    if (inotify_ >= 0)
        close(inotify_);
}

void ProcessTree::classify(const std::string &name)
{
    if (seen_.count(name))
        return;
    pid_t pid = pid_of_trace_dir(name);
    seen_[name] = pid > 0 ? membership_of(pid, self_) : Membership::unknown;
}

void ProcessTree::watch(int timeout_ms)
{
    pollfd pfd{inotify_, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return;
    alignas(inotify_event) char buf[16384];
    bool overflow = false;
    for (;;) {
        ssize_t n = read(inotify_, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            auto *ev = reinterpret_cast<inotify_event *>(p);
            if (ev->mask & IN_Q_OVERFLOW)
                overflow = true;
            else if (ev->len > 0)
                classify(ev->name);
            p += sizeof(inotify_event) + ev->len;
        }
    }
    if (overflow) { // events were dropped: look at the directory itself
        std::error_code ec;
        for (const auto &entry : fs::directory_iterator(pid_dir_, ec))
            classify(entry.path().filename().string());
    }
}

ProcessTree::Outcome ProcessTree::remove_foreign()
{
    watch(0);
    Outcome out;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(pid_dir_, ec)) {
        std::string name = entry.path().filename().string();
        classify(name);
        Membership m = seen_[name];
        if (m == Membership::foreign) {
            fs::remove_all(entry.path(), ec);
            out.removed.push_back(name);
        } else if (m == Membership::unknown) {
            out.unsure.push_back(name);
        }
    }
    return out;
}

} // namespace refblame::tracer
