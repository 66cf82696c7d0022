"""bench_analysis.py: the analysis stage: refblame stats/blockers on 1 M and 10 M-event traces vs babeltrace2 into a dummy sink."""
import json
import os
import subprocess
import tempfile
import time

from bench_common import Row, count_events, median


# Bumped whenever tests/bench/workloads.cpp's mixed workload changes, so a cached trace of an older one is
# never measured (v2: xorshift64*, with failing freezes).
WORKLOAD_VERSION = 2


def trace_for(record_binary, events, cache_dir, log):
    """A recorded mixed workload of about `events` refblame events (kept in cache_dir between runs)."""
    out = os.path.join(cache_dir, f"mixed-v{WORKLOAD_VERSION}-{events}")
    meta = out + ".json"
    if os.path.exists(meta) and os.path.isdir(out):
        with open(meta) as f:
            return out, json.load(f)
    log(f"recording the mixed workload, {events} events, into {out}")
    proc = subprocess.run([record_binary, "--workload", "mixed", "--events", str(events), "--out", out],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"bench_record_ops --workload mixed failed:\n{proc.stderr}")
    info = json.loads(proc.stdout)
    info["counted_events"], info["counted_discarded"] = count_events(out)
    with open(meta, "w") as f:
        json.dump(info, f)
    return out, info


def refblame_has(cli, command):
    """Whether the refblame CLI at `cli` implements `command` yet."""
    if not os.access(cli, os.X_OK):
        return False
    proc = subprocess.run([cli, command, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return proc.returncode == 0 and command in proc.stdout


def _timed(cmd):
    """(exit status, wall s, CPU s (user + system, the children it waited for included: refblame runs each
    query in a child), peak RSS KiB of the largest process, end of stderr)."""
    with tempfile.TemporaryFile() as err:
        begin = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - begin
        err.seek(0)
        return (os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                err.read()[-2000:].decode(errors="replace"))


def _interleaved(commands, repetitions, log):
    """Runs every command once per round, `repetitions` rounds (so drift in machine load hits all alike).
    {name: (wall s per round, CPU s per round, largest peak RSS KiB)}, or None for a command that failed."""
    walls = {name: [] for name in commands}
    cpus = {name: [] for name in commands}
    rss = {name: 0 for name in commands}
    failed = set()
    for _ in range(repetitions):
        for name, cmd in commands.items():
            if name in failed:
                continue
            status, wall, cpu, peak, err = _timed(cmd)
            if status != 0:
                failed.add(name)
                log(f"{' '.join(cmd)} exited {status}: {err.strip()}")
                continue
            walls[name].append(wall)
            cpus[name].append(cpu)
            rss[name] = max(rss[name], peak)
    return {name: None if name in failed else (walls[name], cpus[name], rss[name]) for name in commands}


def _per_round(anchor, command):
    """The command's speed over the anchor's in each round (anchor time / command time): this VM's speed
    drifts by tens of percent over minutes, and a round's commands run within seconds of each other."""
    return [a / c for a, c in zip(anchor, command)]


def measure(record_binary, cli, sizes, cache_dir, repetitions, log):
    rows, notes = [], []
    os.makedirs(cache_dir, exist_ok=True)
    commands = [c for c in ("stats", "blockers") if refblame_has(cli, c)]
    missing = [c for c in ("stats", "blockers") if c not in commands]
    if missing:
        notes.append(f"refblame {'/'.join(missing)} not available in {cli} yet: only the babeltrace2 anchor was measured")
    rss = {}
    for size in sizes:
        trace, info = trace_for(record_binary, size, cache_dir, log)
        events = info["counted_events"]
        runs = {"anchor": ["babeltrace2", trace, "-c", "sink.utils.dummy"]}
        runs.update({c: [cli, c, trace, "--format", "json"] for c in commands})
        log(f"babeltrace2 -> sink.utils.dummy{''.join(', refblame ' + c for c in commands)} on {events} events, "
            f"{repetitions} rounds")
        results = _interleaved(runs, repetitions, log)
        anchor = results["anchor"]
        if anchor is None:
            raise RuntimeError(f"babeltrace2 failed on {trace}")
        a_wall, a_cpu = median(anchor[0]), median(anchor[1])
        a_rate, a_cpu_rate = events / a_wall, events / a_cpu
        rows.append(Row("analysis", f"babeltrace2 dummy sink, {events} events", f"{a_rate / 1e6:.2f} M ev/s",
                        f"{a_wall:.2f} s wall ({min(anchor[0]):.2f}-{max(anchor[0]):.2f}), {a_cpu:.2f} s CPU, "
                        f"{anchor[2] / 1024:.0f} MiB peak"))
        for command in commands:
            result = results[command]
            if result is None:
                rows.append(Row("analysis", f"refblame {command}, {events} events", "failed", verdict="MISS"))
                continue
            # The ratio: the median of the rounds' ratios (the range of them beside the anchor's speed).
            walls, cpus = _per_round(anchor[0], result[0]), _per_round(anchor[1], result[1])
            rate, cpu_rate = events / median(result[0]), events / median(result[1])
            rows.append(Row("analysis", f"refblame {command}, {events} events (wall)", f"{rate / 1e6:.2f} M ev/s",
                            f"{a_rate / 1e6:.2f} M ev/s; rounds {min(walls):.3f}-{max(walls):.3f}", median(walls),
                            ">= 0.8").judge(0.8, at_least=True))
            # CPU time says what the code costs when another process takes the second CPU (a shared machine):
            # the analysis overlaps decoding and learning on two threads, so wall < CPU only with a free CPU.
            rows.append(Row("analysis", f"refblame {command}, {events} events (CPU time, info)",
                            f"{cpu_rate / 1e6:.2f} M ev/s",
                            f"{a_cpu_rate / 1e6:.2f} M ev/s; rounds {min(cpus):.3f}-{max(cpus):.3f}", median(cpus)))
            rss.setdefault(command, []).append((events, result[2]))
    for command, points in rss.items():
        if len(points) >= 2:
            (small_n, small), (big_n, big) = points[0], points[-1]
            rows.append(Row("analysis", f"refblame {command} peak RSS, {big_n} vs {small_n} events",
                            f"{big / 1024:.0f} MiB", f"{small / 1024:.0f} MiB", big / small, "<= 1.2").judge(1.2))
    return rows, notes
