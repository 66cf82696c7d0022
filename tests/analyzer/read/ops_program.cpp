// ops_program.cpp: a traced test program that does a known sequence of refcount ops and prints its own record of them.
//
// Usage:
//   read_ops_program                         every op kind on two threads (pinned to CPUs 0 and 1), then a dlopen
//   read_ops_program --paced START STEP OFS N  N inc/dec ops, op i at START + i*STEP + OFS ns (CLOCK_REALTIME)
//   read_ops_program --many N                N inc/dec pairs as fast as possible (to overflow buffers)
//
// Output, one record a line (what the reader test compares the trace with):
//   pid PID
//   start_ns NS              CLOCK_REALTIME when the program started
//   exe PATH BASE LO HI      the executable's load base and text mapping
//   build_id PATH HEX        the executable's GNU build-id
//   op NAME TID OBJ COUNT VAL RET HOLDER FROM KIND   one per traced op, in the order done per thread
//   dlopen PATH              a library loaded with dlopen after start
//   ops N                    (--many) how many refblame events were emitted
#include <refblame/ref.h>

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

struct Page {
    refblame_ref_t _refcount;
    char data[64];
};

struct Record {
    const char *name;
    long tid;
    const void *obj;
    int count, val, ret;
    const void *holder, *from;
    const char *kind;
};

long current_tid() { return static_cast<long>(syscall(SYS_gettid)); }

// Each thread keeps its own list; printed after the threads joined.
thread_local std::vector<Record> *records = nullptr;

void note(const char *name, refblame_ref_t *r, int val, int ret, const void *holder = nullptr,
          const void *from = nullptr, const char *kind = "-")
{
    records->push_back({name, current_tid(), r, refblame_ref_count(r), val, ret, holder, from, kind});
}

void print(const std::vector<Record> &rs)
{
    for (const Record &r : rs)
        std::printf("op %s %ld 0x%" PRIxPTR " %d %d %d 0x%" PRIxPTR " 0x%" PRIxPTR " %s\n", r.name, r.tid,
                    reinterpret_cast<std::uintptr_t>(r.obj), r.count, r.val, r.ret,
                    reinterpret_cast<std::uintptr_t>(r.holder), reinterpret_cast<std::uintptr_t>(r.from), r.kind);
}

// Every op kind once or more, with distinct call sites (straight-line code).
void every_op(refblame_ref_t *r, const char *kind)
{
    int holder_slot = 0, other_slot = 0;
    refblame_obj_init(r, kind, 1);
    note("obj_init", r, 1, 0, nullptr, nullptr, kind);
    refblame_ref_inc(r);
    note("ref_mod", r, 1, 0);
    refblame_ref_add(r, 3);
    note("ref_mod", r, 3, 0);
    refblame_ref_sub(r, 2);
    note("ref_mod", r, -2, 0);
    refblame_ref_dec(r);
    note("ref_mod", r, -1, 0);
    int v = refblame_ref_inc_return(r);
    note("ref_mod_and_return", r, 1, v);
    v = refblame_ref_dec_return(r);
    note("ref_mod_and_return", r, -1, v);
    bool b = refblame_ref_add_unless(r, 2, 0);
    note("ref_mod_unless", r, 2, b);
    b = refblame_ref_add_unless(r, 5, refblame_ref_count(r)); // refused: count is u
    note("ref_mod_unless", r, 5, b);
    b = refblame_ref_get_unless_zero(r);
    note("ref_mod_unless", r, 1, b);
    refblame_ref_get(r, &holder_slot);
    note("ref_mod", r, 1, 0, &holder_slot);
    refblame_ref_move(r, &holder_slot, &other_slot);
    note("ref_move", r, 0, 0, &other_slot, &holder_slot);
    b = refblame_ref_put(r, &other_slot);
    note("ref_mod_and_test", r, -1, b, &other_slot);
    b = refblame_ref_freeze(r, 1); // fails: count is 5
    records->push_back({"ref_freeze", current_tid(), r, refblame_ref_count(r), 1, b, nullptr, nullptr, "-"});
    b = refblame_ref_sub_and_test(r, 4);
    note("ref_mod_and_test", r, -4, b);
    b = refblame_ref_freeze(r, 1); // succeeds: count -> 0
    note("ref_freeze", r, 1, b);
    refblame_ref_unfreeze(r, 2);
    note("ref_unfreeze", r, 2, 0);
    refblame_ref_set(r, 1);
    note("ref_set", r, 1, 0);
    b = refblame_ref_dec_and_test(r);
    note("ref_mod_and_test", r, -1, b);
    refblame_obj_free(r);
    note("obj_free", r, 0, 0);
}

// Pins the calling thread to one CPU, so its events land in that CPU's stream
// file (ch_<cpu>): a test can then break one stream file and know which
// thread's events remain.
void pin_to_cpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void *thread_main(void *arg)
{
    pin_to_cpu(1);
    std::vector<Record> mine;
    records = &mine;
    every_op(static_cast<refblame_ref_t *>(arg), "slab");
    print(mine); // serialized by the join below: main prints after
    std::fflush(stdout);
    return nullptr;
}

void print_exe()
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        std::exit(3);
    path[n] = '\0';
    std::printf("pid %ld\n", static_cast<long>(getpid()));
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    std::printf("start_ns %lld\n", static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec);
    FILE *maps = std::fopen("/proc/self/maps", "r");
    char line[8192];
    unsigned long base = 0, text_lo = 0, text_hi = 0;
    while (maps && std::fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[8], file[4096] = "";
        if (std::sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &lo, &hi, perms, file) < 4 ||
            std::strcmp(file, path) != 0)
            continue;
        if (base == 0 || lo < base)
            base = lo;
        if (perms[2] == 'x')
            text_lo = lo, text_hi = hi;
    }
    if (maps)
        std::fclose(maps);
    std::printf("exe %s 0x%lx 0x%lx 0x%lx\n", path, base, text_lo, text_hi);
    // The main program's build-id, from its PT_NOTE segments.
    dl_iterate_phdr(
        [](dl_phdr_info *info, size_t, void *p) -> int {
            for (int i = 0; i < info->dlpi_phnum; ++i) {
                const ElfW(Phdr) &ph = info->dlpi_phdr[i];
                if (ph.p_type != PT_NOTE)
                    continue;
                auto *at = reinterpret_cast<const char *>(info->dlpi_addr + ph.p_vaddr);
                const char *end = at + ph.p_memsz;
                while (at + sizeof(ElfW(Nhdr)) <= end) {
                    auto *nh = reinterpret_cast<const ElfW(Nhdr) *>(at);
                    const char *name = at + sizeof *nh;
                    const auto *desc = reinterpret_cast<const unsigned char *>(name + ((nh->n_namesz + 3) & ~3u));
                    if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
                        std::printf("build_id %s ", static_cast<const char *>(p));
                        for (unsigned j = 0; j < nh->n_descsz; ++j)
                            std::printf("%02x", desc[j]);
                        std::printf("\n");
                    }
                    at = reinterpret_cast<const char *>(desc) + ((nh->n_descsz + 3) & ~3u);
                }
            }
            return 1; // the first object is the main program
        },
        path);
}

void sleep_until(std::uint64_t ns)
{
    timespec ts{static_cast<time_t>(ns / 1000000000u), static_cast<long>(ns % 1000000000u)};
    while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, nullptr) != 0) {
    }
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<Record> mine;
    records = &mine;
    print_exe();
    if (argc == 6 && std::strcmp(argv[1], "--paced") == 0) {
        std::uint64_t start = std::strtoull(argv[2], nullptr, 10), step = std::strtoull(argv[3], nullptr, 10),
                      ofs = std::strtoull(argv[4], nullptr, 10);
        int n = std::atoi(argv[5]);
        Page p{};
        refblame_obj_init(&p._refcount, "page", 1);
        note("obj_init", &p._refcount, 1, 0, nullptr, nullptr, "page");
        for (int i = 0; i < n; ++i) {
            sleep_until(start + static_cast<std::uint64_t>(i) * step + ofs);
            if (i % 2 == 0) {
                refblame_ref_inc(&p._refcount);
                note("ref_mod", &p._refcount, 1, 0);
            } else {
                refblame_ref_dec(&p._refcount);
                note("ref_mod", &p._refcount, -1, 0);
            }
        }
        print(mine);
        return 0;
    }
    if (argc == 3 && std::strcmp(argv[1], "--many") == 0) {
        long n = std::atol(argv[2]);
        Page p{};
        refblame_obj_init(&p._refcount, "page", 1);
        for (long i = 0; i < n; ++i) {
            refblame_ref_inc(&p._refcount);
            refblame_ref_dec(&p._refcount);
        }
        std::printf("ops %ld\n", 2 * n + 1);
        return 0;
    }
    if (argc != 1) {
        std::fprintf(stderr, "usage: %s [--paced START STEP OFS N | --many N]\n", argv[0]);
        return 2;
    }
    Page a{}, b{};
    pin_to_cpu(0);
    std::fflush(stdout);
    pthread_t t;
    if (pthread_create(&t, nullptr, thread_main, &b._refcount) != 0)
        return 3;
    pthread_join(t, nullptr);
    every_op(&a._refcount, "page");
    print(mine);
    // A library loaded now shows up as lttng_ust_lib:load when liblttng-ust-dl is preloaded.
    const char *lib = "libz.so.1";
    if (void *h = dlopen(lib, RTLD_NOW)) {
        Dl_info info{};
        void *sym = dlsym(h, "zlibVersion");
        if (sym && dladdr(sym, &info) && info.dli_fname)
            std::printf("dlopen %s\n", info.dli_fname);
        dlclose(h);
    }
    return 0;
}
