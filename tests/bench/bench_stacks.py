"""bench_stacks.py: the call-stack stage: bench_stacks under REFBLAME_STACK=16, 8 and 0; medians; stack cost over the caller-only op."""
import json
import os
import subprocess
import tempfile
from collections import defaultdict

from bench_common import Row, median

DEPTHS = (16, 8, 0)


def run_once(binary, depth, repetitions, min_time, interleave, log):
    """{benchmark name: [cpu ns per inc+dec pair]} of one bench_stacks process with REFBLAME_STACK=depth."""
    with tempfile.TemporaryDirectory(prefix="refblame-bench-stacks-") as tmp:
        out = os.path.join(tmp, "stacks.json")
        cmd = [binary, f"--benchmark_repetitions={repetitions}", f"--benchmark_min_time={min_time}",
               f"--benchmark_enable_random_interleaving={'true' if interleave else 'false'}",
               "--benchmark_display_aggregates_only=true", f"--benchmark_out={out}", "--benchmark_out_format=json"]
        log(f"running REFBLAME_STACK={depth} " + " ".join(cmd))
        env = dict(os.environ, REFBLAME_STACK=str(depth), LTTNG_UST_ALLOW_BLOCKING="1")
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"bench_stacks failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        with open(out) as f:
            report = json.load(f)
    times = defaultdict(list)
    for b in report["benchmarks"]:
        if b.get("run_type") == "iteration" and not b.get("error_occurred"):
            scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
            times[b["run_name"]].append(b["cpu_time"] * scale)
    return times


def measure(binary, repetitions, min_time, interleave, log):
    """Rows: each stack depth's op cost over the caller-only op measured in the same process."""
    rows = []
    runs = {d: run_once(binary, d, repetitions, min_time, interleave, log) for d in DEPTHS}

    def row(depth, variant, anchor, what, target, limit):
        t = runs[depth]
        if not (t.get(variant) and t.get(anchor)):
            return Row("stacks", what, "no valid run", target=target, verdict="INVALID")
        v, a = median(t[variant]), median(t[anchor])
        r = Row("stacks", what, f"{v:.2f} ns", f"{a:.2f} ns", v / a, target)
        return r.judge(limit) if limit else r

    rows.append(row(16, "stack/depth16", "caller_only/depth16",
                    "16-frame stack (frame pointers) / caller only, inc+dec", "<= 2.0", 2.0))
    rows.append(row(8, "stack/depth16", "caller_only/depth16",
                    "8-frame stack (the record default, frame pointers) / caller only (info)", "", None))
    rows.append(row(16, "stack_nofp/depth16", "caller_only_nofp/depth16",
                    "16-frame stack (no frame pointers: libunwind) / caller only (info)", "", None))
    rows.append(row(8, "stack_nofp/depth16", "caller_only_nofp/depth16",
                    "8-frame stack (no frame pointers: libunwind) / caller only (info)", "", None))
    # REFBLAME_STACK=0 takes the caller-only path without looking at stacks at all.
    if runs[0].get("caller_only/depth16") and runs[16].get("caller_only/depth16"):
        v, a = median(runs[16]["caller_only/depth16"]), median(runs[0]["caller_only/depth16"])
        rows.append(Row("stacks", "caller only with REFBLAME_STACK=16 (refblame:stack off) / REFBLAME_STACK=0 (info, "
                        "two processes)", f"{v:.2f} ns", f"{a:.2f} ns", v / a))
    return rows
