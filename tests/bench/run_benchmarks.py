#!/usr/bin/env python3
"""run_benchmarks.py: builds refblame in Release, runs every benchmark (op cost, trace volume, code, analysis), prints one table.

    tests/bench/run_benchmarks.py                     # everything, build in ./build-bench
    tests/bench/run_benchmarks.py --quick             # fewer repetitions, smaller traces
    tests/bench/run_benchmarks.py --smoke --build-dir B --no-build   # ctest: record_ops still records what it fires
Targets are printed as PASS/MISS next to each ratio; nothing here asserts them. Exit status: 0 when every
stage ran (whatever the verdicts), 1 when a stage failed, 2 on usage errors.
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_analysis  # noqa: E402
import bench_opcost  # noqa: E402
import bench_stacks  # noqa: E402
import bench_volume  # noqa: E402
from bench_common import Row, format_table, wait_for_quiet  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def build(build_dir):
    """Configures and builds the benchmarks in Release; False (after saying why) when that fails."""
    for cmd in (["cmake", "-S", REPO, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release", "-DREFBLAME_WERROR=ON"],
                ["cmake", "--build", build_dir, "-j2", "--target", "bench_ops", "bench_record_ops", "bench_stacks"]):
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            log(f"{' '.join(cmd)} failed:\n{proc.stdout[-4000:]}")
            return False
    # The CLI is measured when it builds; while the analyzer is unfinished it may not.
    cli = subprocess.run(["cmake", "--build", build_dir, "-j2", "--target", "refblame_cli"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if cli.returncode != 0:
        log("the refblame CLI did not build; the analysis stage will say so")
    return True


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    load = open("/proc/loadavg").read().split()[:3]
    return f"{cpu}, {os.cpu_count()} CPUs, {mem} MiB, {platform.release()}, load {' '.join(load)}"


def smoke(build_dir):
    """ctest: every volume workload's trace holds exactly what it fired, nothing discarded."""
    binary = os.path.join(build_dir, "tests", "bench", "bench_record_ops")
    rows = bench_volume.measure(binary, 2000, log)
    print(format_table(rows))
    bad = [r for r in rows if "fired" in r.anchor]
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", default=os.path.join(REPO, "build-bench"))
    p.add_argument("--no-build", action="store_true", help="use the binaries already in --build-dir")
    p.add_argument("--refblame", help="refblame CLI to measure (default: BUILD_DIR/refblame)")
    p.add_argument("--repetitions", type=int, default=10, help="op-cost repetitions (median taken)")
    p.add_argument("--min-time", type=float, default=0.2, help="seconds per op-cost repetition")
    p.add_argument("--no-interleave", action="store_true", help="run repetitions back to back, not interleaved")
    p.add_argument("--volume-events", type=int, default=1_000_000)
    p.add_argument("--analysis-events", default="1000000,10000000", help="comma-separated trace sizes")
    p.add_argument("--analysis-repetitions", type=int, default=3)
    p.add_argument("--skip", action="append", default=[], choices=["ops", "code", "stacks", "volume", "analysis"])
    p.add_argument("--quick", action="store_true", help="3 repetitions of 0.05 s, 200 k volume, 1 M/2 M traces")
    p.add_argument("--wait-quiet", type=float, default=120, help="seconds to wait for foreign sessions to end")
    p.add_argument("--markdown", action="store_true", help="print the table as markdown (docs/PERFORMANCE.md)")
    p.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.smoke:
        return smoke(a.build_dir)
    if a.quick:
        a.repetitions, a.min_time, a.volume_events, a.analysis_events = 3, 0.05, 200_000, "1000000,2000000"
    if not a.no_build:
        log(f"building in Release in {a.build_dir}")
        if not build(a.build_dir):
            return 1
    bench_dir = os.path.join(a.build_dir, "tests", "bench")
    cli = a.refblame or os.path.join(a.build_dir, "refblame")

    foreign = wait_for_quiet(a.wait_quiet, log)
    if foreign:
        log(f"WARNING: sessions {', '.join(foreign)} trace every refblame process: op costs will be INVALID")

    rows, notes, failed = [], [], False
    same_code = {}
    if "code" not in a.skip or "ops" not in a.skip:
        same_code, code_rows = bench_opcost.inspect_code(os.path.join(bench_dir, "bench_ops"))
        rows += code_rows if "code" not in a.skip else []
    if "ops" not in a.skip:
        try:
            times, foreign, session = bench_opcost.run_bench_ops(os.path.join(bench_dir, "bench_ops"), a.repetitions,
                                                                a.min_time, not a.no_interleave, log)
            rows += bench_opcost.ratio_rows(times, foreign, same_code)
            notes.append(f"op cost: median CPU ns per iteration over {a.repetitions} repetitions of {a.min_time} s "
                         f"({'interleaved' if not a.no_interleave else 'back to back'}); one private counter per thread; "
                         f"{session.removeprefix('bench_ops: ')}")
        except RuntimeError as e:
            log(str(e))
            failed = True
    if "stacks" not in a.skip:
        try:
            rows += bench_stacks.measure(os.path.join(bench_dir, "bench_stacks"), a.repetitions, a.min_time,
                                         not a.no_interleave, log)
            notes.append("stacks: median CPU ns per inc+dec pair, ops at the bottom of a 16-frame call chain, "
                         "refblame:stack switched on and off within one process")
        except RuntimeError as e:
            log(str(e))
            failed = True
    if "volume" not in a.skip:
        try:
            rows += bench_volume.measure(os.path.join(bench_dir, "bench_record_ops"), a.volume_events, log)
        except (RuntimeError, subprocess.CalledProcessError) as e:
            log(str(e))
            failed = True
    if "analysis" not in a.skip:
        sizes = [int(s) for s in a.analysis_events.split(",") if s]
        try:
            arows, anotes = bench_analysis.measure(os.path.join(bench_dir, "bench_record_ops"), cli, sizes,
                                                   os.path.join(a.build_dir, "bench-traces"), a.analysis_repetitions, log)
            rows += arows
            notes += anotes
        except (RuntimeError, subprocess.CalledProcessError) as e:
            log(str(e))
            failed = True

    print(f"refblame benchmarks, {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine: {machine()}")
    print(format_table(rows, markdown=a.markdown))
    for n in notes:
        print(f"note: {n}")
    misses = sum(r.verdict in ("MISS", "INVALID") for r in rows)
    print(f"{sum(r.verdict == 'PASS' for r in rows)} PASS, {misses} MISS/INVALID")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
