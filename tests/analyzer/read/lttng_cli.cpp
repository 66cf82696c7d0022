// lttng_cli.cpp: spawns `lttng` and traced programs with posix_spawn (argument vectors, no shell).
#include "lttng_cli.hpp"

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

extern char **environ;

namespace refblame::test {

namespace {

// This process's environment with `extra` ("NAME=value") set, replacing any
// variable of the same name.
std::vector<std::string> environment_with(const std::vector<std::string> &extra)
{
    std::vector<std::string> env;
    for (char **e = environ; *e; ++e) {
        const std::string_view var(*e);
        const std::string_view name = var.substr(0, var.find('='));
        const bool replaced = std::any_of(extra.begin(), extra.end(), [&](const std::string &x) {
            return x.size() > name.size() && x.compare(0, name.size(), name) == 0 && x[name.size()] == '=';
        });
        if (!replaced)
            env.emplace_back(var);
    }
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

} // namespace

int run(const std::vector<std::string> &argv, const std::filesystem::path &stdout_file,
        const std::vector<std::string> &extra_env)
{
    std::vector<char *> args;
    for (const std::string &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_store = environment_with(extra_env);
    std::vector<char *> env;
    for (std::string &e : env_store)
        env.push_back(e.data());
    env.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    const std::string out = stdout_file.empty() ? std::string("/dev/null") : stdout_file.string();
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
    return wait_for(pid);
}

int wait_for(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Session::Session(const std::string &tag, const std::filesystem::path &output, const ChannelOptions &options)
    : name_("refblame-read-" + tag + "-" + std::to_string(getpid())), options_(options)
{
    lttng({"create", name_, "--output=" + output.string()});
    created_ = true;
    lttng({"untrack", "-u", "-s", name_, "--all", "--vpid"});
    std::vector<std::string> ch = {"enable-channel", "-u", "-s", name_, options.per_pid ? "--buffers-pid" : "--buffers-uid",
                                   "--subbuf-size=" + options.subbuf_size,
                                   "--num-subbuf=" + std::to_string(options.num_subbuf)};
    if (options.blocking)
        ch.push_back("--blocking-timeout=inf");
    ch.push_back("ch");
    lttng(ch);
    if (options.refblame_events)
        lttng({"enable-event", "-u", "-s", name_, "-c", "ch", "refblame:*"});
    lttng({"enable-event", "-u", "-s", name_, "-c", "ch", "lttng_ust_statedump:*"});
    lttng({"enable-event", "-u", "-s", name_, "-c", "ch", "lttng_ust_lib:*"});
    if (options.contexts)
        lttng({"add-context", "-u", "-s", name_, "-c", "ch", "-t", "vpid", "-t", "vtid", "-t", "ip", "-t", "procname"});
}

Session::~Session()
{
    try {
        if (started_)
            stop();
        if (created_)
            lttng({"destroy", name_});
    } catch (...) {
        // Destruction must not throw; the session name is unique to this run.
    }
}

void Session::start()
{
    lttng({"start", name_});
    started_ = true;
}

void Session::stop()
{
    started_ = false;
    lttng({"stop", name_});
}

pid_t Session::launch(const std::vector<std::string> &argv, const std::filesystem::path &stdout_file,
                      const std::vector<std::string> &extra_env, int cpu)
{
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (cpu >= 0)
        CPU_SET(cpu, &cpus);
    // Everything the child needs is prepared before fork: it only reads the
    // gate, redirects stdout and execs.
    std::vector<char *> args;
    for (const std::string &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> extra = extra_env;
    if (options_.blocking)
        extra.emplace_back("LTTNG_UST_ALLOW_BLOCKING=1");
    std::vector<std::string> env_store = environment_with(extra);
    std::vector<char *> env;
    for (std::string &e : env_store)
        env.push_back(e.data());
    env.push_back(nullptr);

    const int out = open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int gate[2];
    if (out < 0 || pipe2(gate, O_CLOEXEC) != 0)
        throw std::runtime_error("cannot prepare " + argv[0] + ": " + std::strerror(errno));
    const pid_t pid = fork();
    if (pid == 0) {
        char c;
        while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
        }
        if (cpu >= 0)
            sched_setaffinity(0, sizeof cpus, &cpus);
        dup2(out, STDOUT_FILENO);
        execvpe(args[0], args.data(), env.data());
        _exit(127);
    }
    close(gate[0]);
    close(out);
    if (pid < 0) {
        close(gate[1]);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    try {
        lttng({"track", "-u", "-s", name_, "--vpid=" + std::to_string(pid)});
    } catch (...) {
        close(gate[1]); // the child runs untraced; the caller's checks will fail
        wait_for(pid);
        throw;
    }
    const char go = 1;
    if (write(gate[1], &go, 1) != 1) {
        close(gate[1]);
        wait_for(pid);
        throw std::runtime_error("cannot release " + argv[0]);
    }
    close(gate[1]);
    return pid;
}

void Session::lttng(std::vector<std::string> args)
{
    args.insert(args.begin(), "lttng");
    if (const int rc = run(args); rc != 0) {
        std::string line;
        for (const std::string &a : args)
            line += a + " ";
        throw std::runtime_error("`" + line + "` failed with status " + std::to_string(rc));
    }
}

} // namespace refblame::test
