"""bench_volume.py: the trace-volume stage: records N known events of one kind, divides the stream bytes on disk by N."""
import json
import os
import subprocess
import tempfile

from bench_common import Row, count_events, stream_bytes

# workload of bench_record_ops -> what its events are
WORKLOADS = (("ref_mod", "refblame:ref_mod"), ("freeze", "refblame:ref_freeze"),
             ("anchor", "refblame_bench_anchor:ref_mod (bare tracepoint, same payload)"))


def record(binary, workload, events, out):
    proc = subprocess.run([binary, "--workload", workload, "--events", str(events), "--out", out],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"bench_record_ops --workload {workload} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def measure(binary, events, log, workloads=WORKLOADS):
    """Rows of bytes/event; a row's verdict is MISS when the trace does not hold exactly the events fired."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="refblame-bench-volume-") as tmp:
        for workload, what in workloads:
            out = os.path.join(tmp, workload)
            log(f"recording {events} {what} events")
            result = record(binary, workload, events, out)
            fired = sum(result["events"].values())
            counted, discarded = count_events(out)
            size = stream_bytes(out)
            row = Row("trace volume", f"{what}: bytes/event on disk", f"{size / counted:.1f}" if counted else "-",
                      f"{counted} events, {size} B", target="<= 40" if workload != "anchor" else "")
            if counted != fired or discarded or result["discarded_events"]:
                row.verdict = "MISS"
                row.anchor += f" (fired {fired}, discarded {result['discarded_events']})"
            elif workload != "anchor":
                row.verdict = "PASS" if size / counted <= 40 else "MISS"
            rows.append(row)
    return rows
