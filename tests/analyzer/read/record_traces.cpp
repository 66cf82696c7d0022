// record_traces.cpp: ctest fixture: records the reader tests' traces once, with the plain `lttng` CLI, through the running session daemon.
//
//   read_record_traces OUTDIR PROGRAM
// writes OUTDIR/<name>/ (the LTTng output) and OUTDIR/<name>.out (the
// program's own record) for: good, pair (two processes: pair_a.out,
// pair_b.out), nocontext, nocontext_uid, loss, norefblame, stacks (REFBLAME_STACK=4).
#include "lttng_cli.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using refblame::test::ChannelOptions;
using refblame::test::Session;

namespace {

void record(const fs::path &out, const std::string &name, const ChannelOptions &opt,
            const std::vector<std::string> &program, std::vector<std::string> env = {}, int cpu = -1)
{
    Session s(name, out / name, opt);
    s.start();
    if (const int rc = refblame::test::wait_for(s.launch(program, out / (name + ".out"), env, cpu)); rc != 0)
        throw std::runtime_error(program[0] + " exited with status " + std::to_string(rc));
    s.stop();
}

// Two processes whose ops interleave in time (op i of each at start + i*2ms, b 1ms after a).
void record_pair(const fs::path &out, const std::string &program)
{
    Session s("pair", out / "pair", ChannelOptions{});
    s.start();
    const auto start = std::chrono::system_clock::now() + std::chrono::milliseconds(500);
    const std::string start_ns =
        std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count());
    const pid_t a = s.launch({program, "--paced", start_ns, "2000000", "0", "20"}, out / "pair_a.out");
    const pid_t b = s.launch({program, "--paced", start_ns, "2000000", "1000000", "20"}, out / "pair_b.out");
    const int rc_a = refblame::test::wait_for(a), rc_b = refblame::test::wait_for(b);
    if (rc_a != 0 || rc_b != 0)
        throw std::runtime_error("paced programs failed");
    s.stop();
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s OUTDIR PROGRAM\n", argv[0]);
        return 2;
    }
    const fs::path out = argv[1];
    const std::string program = argv[2];
    try {
        fs::remove_all(out);
        fs::create_directories(out);
        // liblttng-ust-dl makes the dlopen visible (lttng_ust_lib:load); preloaded
        // before an ASan runtime, it needs ASan's link-order check off. Started
        // on CPU 1, LTTng-UST's statedump lands in ch_1, and ch_0 holds only the
        // main thread's events (ops_program moves its main thread to CPU 0).
        record(out, "good", ChannelOptions{}, {program},
               {"LD_PRELOAD=liblttng-ust-dl.so", "ASAN_OPTIONS=verify_asan_link_order=0"}, 1);
        record_pair(out, program);
        ChannelOptions plain;
        plain.contexts = false;
        record(out, "nocontext", plain, {program});
        plain.per_pid = false;
        record(out, "nocontext_uid", plain, {program});
        ChannelOptions lossy;
        lossy.blocking = false;
        lossy.subbuf_size = "4k";
        lossy.num_subbuf = 2;
        record(out, "loss", lossy, {program, "--many", "200000"});
        ChannelOptions statedump_only;
        statedump_only.refblame_events = false;
        record(out, "norefblame", statedump_only, {program});
        record(out, "stacks", ChannelOptions{}, {program}, {"REFBLAME_STACK=4"});
    } catch (const std::exception &e) {
        std::fprintf(stderr, "read_record_traces: %s\n", e.what());
        return 1;
    }
    std::printf("recorded reader test traces in %s\n", out.c_str());
    return 0;
}
