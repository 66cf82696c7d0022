"""bench_opcost.py: the op-cost stage: runs bench_ops, takes medians over repetitions, compares to the anchors, reads the code."""
import json
import os
import re
import subprocess
import tempfile
from collections import defaultdict

from bench_common import Row, median

OPS = ("inc_dec", "freeze_fail", "freeze_ok")
THREADS = (1, 2, 8)


def run_bench_ops(binary, repetitions, min_time, interleave, log):
    """Runs every variant in one process; returns ({run name: [cpu ns per iteration]}, labels, session line)."""
    with tempfile.TemporaryDirectory(prefix="refblame-bench-ops-") as tmp:
        out = os.path.join(tmp, "ops.json")
        cmd = [binary, f"--benchmark_repetitions={repetitions}", f"--benchmark_min_time={min_time}",
               f"--benchmark_enable_random_interleaving={'true' if interleave else 'false'}",
               "--benchmark_display_aggregates_only=true",
               f"--benchmark_out={out}", "--benchmark_out_format=json"]
        log("running " + " ".join(cmd))
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"bench_ops failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        with open(out) as f:
            report = json.load(f)
    times, foreign = defaultdict(list), defaultdict(int)
    for b in report["benchmarks"]:
        if b.get("run_type") != "iteration" or b.get("error_occurred"):
            continue
        if b.get("label") == "foreign-session":  # traced by someone else's session: not a valid sample
            foreign[b["run_name"]] += 1
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]
        times[b["run_name"]].append(b["cpu_time"] * scale)
    session = next((l for l in proc.stderr.splitlines() if l.startswith("bench_ops: session:")), "")
    return times, foreign, session


def ratio_rows(times, foreign, same_code):
    """Medians over the valid repetitions, and the ratios the issue sets targets for."""
    rows = []

    def row(measure, variant, anchor, op, n, target, limit):
        names = [f"{x}/{op}/threads:{n}" for x in (variant, anchor)]
        if not all(times.get(name) for name in names):
            return Row("op cost", f"{op} x{n}t: {measure}", "no valid run", target=target, verdict="INVALID")
        v, a = (median(times[name]) for name in names)
        r = Row("op cost", f"{op} x{n}t: {measure}", f"{v:.2f} ns", f"{a:.2f} ns", v / a, target)
        if limit:
            r.judge(limit)
        dropped = sum(foreign.get(name, 0) for name in names)
        if dropped:
            r.measure += f" [{dropped} runs traced by a foreign session dropped]"
        return r

    for op in OPS:
        for n in THREADS:
            rows.append(row("refblame enabled / bare tracepoint", "refblame_enabled", "tracepoint_enabled",
                            op, n, "<= 1.15", 1.15))
            rows.append(row("refblame disabled / bare atomic", "refblame_disabled", "atomic", op, n, "<= 1.05", 1.05))
            r = row("compiled out / bare atomic", "compiled_out", "atomic", op, n, "same code", None)
            r.verdict = "PASS" if same_code.get(op) else "MISS"
            rows.append(r)
            rows.append(row("bare tracepoint disabled / bare atomic (info)", "tracepoint_disabled", "atomic",
                            op, n, "", None))
    return rows


def _functions(binary):
    """{demangled function name: [(address, mnemonic, operands)]} from objdump -d."""
    text = subprocess.run(["objdump", "-d", "-C", "--no-show-raw-insn", binary], check=True,
                          stdout=subprocess.PIPE, text=True).stdout
    funcs, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            current = funcs.setdefault(m.group(1), [])
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if m and current is not None:
            current.append((int(m.group(1), 16), m.group(2), m.group(3)))
    return funcs


def _readable(ops):
    """`0x15e09(%rip),%eax  # 53a18 <sym+0x18>` -> `sym+0x18(%rip),%eax`; branch targets -> their symbol."""
    m = re.match(r"^(.*?)0x[0-9a-f]+\(%rip\)(.*?)\s*# [0-9a-f]+ <(.*)>$", ops)
    if m:
        return f"{m.group(1)}{m.group(3)}(%rip){m.group(2)}"
    return re.sub(r"^[0-9a-f]+ <(.*)>$", r"<\1>", ops)


def hot_loop(insns):
    """The smallest loop (backward conditional branch) holding a locked instruction, as readable text."""
    best = None
    for addr, mnem, ops in insns:
        m = re.match(r"^([0-9a-f]+) <", ops)
        if not (mnem.startswith("j") and mnem != "jmp" and m):
            continue
        target = int(m.group(1), 16)
        body = [(a, mn, op) for a, mn, op in insns if target <= a <= addr]
        if target < addr and any(mn == "lock" for _, mn, _ in body) and (best is None or len(body) < len(best)):
            best = body
    if best is None:
        return []
    start = best[0][0]
    # Branch targets relative to the loop start, so that two copies of one loop compare equal.
    return [f"{mn} {_readable(re.sub(r'^([0-9a-f]+) <.*>$', lambda m: f'loop+{int(m.group(1), 16) - start:#x}', op))}"
            .strip() for _, mn, op in best]


def inspect_code(binary):
    """Is the compiled-out op the bare atomic's code, and what is the inlined inc's fast path?"""
    funcs = _functions(binary)
    ns = "refblame::bench::(anonymous namespace)::"
    same, loops = {}, {}
    for op in OPS:
        a = hot_loop(funcs.get(f"{ns}atomic_{op}(benchmark::State&)", []))
        o = hot_loop(funcs.get(f"{ns}off_{op}(benchmark::State&)", []))
        same[op] = bool(a) and a == o
        loops[op] = a
    rows = []
    for op in ("inc_dec", "freeze_fail"):
        insns = funcs.get(f"void {ns}refblame_{op}<(refblame::bench::Tracing)1>(benchmark::State&)", [])
        paths = []
        for i, (_, mnem, ops) in enumerate(insns):
            if mnem != "lock":
                continue
            path = [f"lock {ops}"]
            for _, mnem2, ops2 in insns[i + 1:i + 8]:
                path.append(f"{mnem2} {_readable(ops2)}".strip())
                if mnem2.startswith("j"):
                    break
            paths.append(path)
        if not paths:
            rows.append(Row("code", f"refblame {op}: inlined fast path", "not found in objdump", verdict="MISS"))
        for path in paths:
            loads = [p for p in path if re.search(r"lttng_ust_tracepoint_refblame___\w+", p)]
            branches = [p for p in path if p.startswith("j")]
            calls = [p for p in path if p.startswith("call")]
            ok = len(loads) == 1 and len(branches) == 1 and not calls
            kind = "inc" if any(p.startswith("add $0x1") for p in path) else \
                "dec" if any(p.startswith("sub $0x1") for p in path) else "freeze"
            rows.append(Row("code", f"inlined refblame_ref_{kind} fast path", "; ".join(p.split(" <")[0] for p in path),
                            target="atomic + 1 load + 1 branch", verdict="PASS" if ok else "MISS"))
    for op in OPS:
        rows.append(Row("code", f"compiled-out {op} loop == bare atomic loop",
                        ("identical: " if same[op] else "differs: ") + "; ".join(loops[op]),
                        target="identical", verdict="PASS" if same[op] else "MISS"))
    return same, rows
