"""lttng_trace.py: test helpers: record a program with the plain `lttng` CLI, and read a trace's events with babeltrace2."""
import os
import re
import subprocess
import uuid

EVENT_RE = re.compile(r"^\[[^\]]*\] \([^)]*\) \S+ (?P<name>[\w:]+): \{ cpu_id = \d+ \}, "
                      r"\{ (?P<ctx>[^}]*) \}, \{ (?P<payload>.*) \}$")
FRAMES_RE = re.compile(r"frames = \[ (.*?) \](?:, |$)")
FIELD_RE = re.compile(r'(\w+) = ("(?:[^"\\]|\\.)*"|[^,]+)(?:, |$)')


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def record(argv, outdir, contexts=("vpid", "vtid"), env=None):
    """Record argv under a fresh per-PID session (extra environment `env`); returns the program's CompletedProcess."""
    name = "rbtest-" + uuid.uuid4().hex[:12]
    run(["lttng", "create", name, "-o", outdir])
    try:
        # -s everywhere: the "current session" in ~/.lttngrc is shared by tests running in parallel.
        run(["lttng", "enable-channel", "-s", name, "-u", "--buffers-pid", "--blocking-timeout=inf", "ch"])
        for ev in ("refblame:*", "lttng_ust_statedump:*", "lttng_ust_lib:*"):
            run(["lttng", "enable-event", "-s", name, "-u", "-c", "ch", ev])
        if contexts:
            run(["lttng", "add-context", "-s", name, "-u", "-c", "ch"] + [a for c in contexts for a in ("-t", c)])
        run(["lttng", "start", name])
        child_env = dict(os.environ, LTTNG_UST_ALLOW_BLOCKING="1", **(env or {}))
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env)
        out, err = child.communicate()
        proc = subprocess.CompletedProcess(argv, child.returncode, out, err)
        proc.pid = child.pid  # other processes of this user may be traced too: filter by it
        run(["lttng", "stop", name])
    finally:
        subprocess.run(["lttng", "destroy", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc


def parse_value(v):
    v = v.strip()
    if v.startswith('"'):
        return v[1:-1]
    try:
        return int(v, 0)
    except ValueError:
        return v


def events(trace_dir, prefix="refblame:", vpid=None):
    """Every event of the trace whose name starts with prefix (of process vpid when given), in time order."""
    out = run(["babeltrace2", trace_dir]).stdout
    result = []
    for line in out.splitlines():
        m = EVENT_RE.match(line)
        if not m or not m.group("name").startswith(prefix):
            continue
        ev = {"name": m.group("name")[len(prefix):] if prefix else m.group("name")}
        for key, val in FIELD_RE.findall(m.group("ctx")):
            ev[key] = parse_value(val)
        payload = m.group("payload")
        frames = FRAMES_RE.search(payload)  # refblame:stack's sequence: a list of ints
        if frames:
            ev["frames"] = [int(v, 16) for v in re.findall(r"\[\d+\] = (0x[0-9A-Fa-f]+)", frames.group(1))]
            payload = payload[:frames.start()] + payload[frames.end():]
        for key, val in FIELD_RE.findall(payload):
            ev[key] = parse_value(val)
        if vpid is None or ev.get("vpid") == vpid:
            result.append(ev)
    return result


def source_frame(binary, address, skip_dirs):
    """addr2line the return address - 1 and return (function, file, line) of the first
    frame along the inline chain whose file is not under one of skip_dirs."""
    out = run(["addr2line", "-f", "-i", "-C", "-e", binary, hex(address - 1)]).stdout.splitlines()
    frames = list(zip(out[0::2], out[1::2]))  # innermost first
    for func, loc in frames:
        path, _, line = loc.partition(":")
        line = line.split(" ")[0]
        if any(os.path.abspath(path).startswith(d) for d in skip_dirs):
            continue
        return func, path, int(line) if line.isdigit() else 0
    return None
