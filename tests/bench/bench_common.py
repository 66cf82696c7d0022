"""bench_common.py: what the benchmark runner's stages share: result rows, the table, timed child runs, session checks."""
import os
import re
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass


@dataclass
class Row:
    """One line of the table: a measured value, its anchor, their ratio and the target it is held to."""
    section: str
    measure: str
    value: str
    anchor: str = ""
    ratio: float | None = None
    target: str = ""
    verdict: str = ""  # PASS, MISS, INVALID, "" (informative)

    def judge(self, limit, *, at_least=False):
        if self.ratio is not None:
            ok = self.ratio >= limit if at_least else self.ratio <= limit
            self.verdict = "PASS" if ok else "MISS"
        return self


def median(values):
    return statistics.median(values) if values else float("nan")


def format_table(rows, markdown=False):
    """One table per section (in order of first appearance), columns sized per section."""
    sections = list(dict.fromkeys(r.section for r in rows))
    return "\n\n".join(_section_table([r for r in rows if r.section == s], markdown) for s in sections)


def _section_table(rows, markdown):
    head = (rows[0].section, "value", "anchor", "ratio", "target", "")
    cells = [head] + [(r.measure, r.value, r.anchor, "" if r.ratio is None else f"{r.ratio:.3f}", r.target, r.verdict)
                      for r in rows]
    if markdown:
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells[1:]]
        return "\n".join(lines)
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    return "\n".join("  ".join(c[i].ljust(widths[i]) for i in range(len(head))).rstrip() for c in cells)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def timed(cmd):
    """Runs cmd to completion, output discarded; returns (exit status, wall seconds, peak RSS in KiB of that
    child alone, the end of its stderr)."""
    with tempfile.TemporaryFile() as err:
        begin = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - begin
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return proc.returncode, wall, usage.ru_maxrss, err.read()[-2000:].decode(errors="replace")


def foreign_sessions():
    """Active LTTng sessions (not ours) that enable refblame:* for every process: they record, and
    throttle, any refblame program on the machine, this benchmark included."""
    try:
        listing = run(["lttng", "list"]).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    found = []
    for name in re.findall(r"^\s+\d+\) (\S+) .*\[active\]", listing, re.M):
        try:
            detail = run(["lttng", "list", name]).stdout
        except subprocess.CalledProcessError:
            continue
        if "refblame" in detail and re.search(r"Virtual process IDs:\s+all", detail):
            found.append(name)
    return found


def wait_for_quiet(max_seconds, log):
    """Waits up to max_seconds for foreign sessions to end; returns the ones still there."""
    deadline = time.monotonic() + max_seconds
    while True:
        found = foreign_sessions()
        if not found or time.monotonic() >= deadline:
            return found
        log(f"waiting for other sessions that trace every refblame process to end: {', '.join(found)}")
        time.sleep(5)


def stream_bytes(trace_dir):
    """Bytes of the CTF data stream files below trace_dir (not metadata, not the index files)."""
    total = 0
    for root, dirs, files in os.walk(trace_dir):
        dirs[:] = [d for d in dirs if d != "index"]
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files if f != "metadata")
    return total


def count_events(trace_dir):
    """Events in a trace, as babeltrace2's counter sink reads them; and the discarded-event messages."""
    out = run(["babeltrace2", trace_dir, "-c", "sink.utils.counter", "-p", "step=+0"]).stdout
    events = int(re.search(r"^\s*(\d+) Event messages", out, re.M).group(1))
    discarded = int(re.search(r"^\s*(\d+) Discarded event messages", out, re.M).group(1))
    return events, discarded
