#!/usr/bin/env python3
"""record_test.py: `refblame record` end to end: real programs recorded through a real LTTng session daemon by the real CLI.

Usage: record_test.py REFBLAME PROGRAM_DIR CASE [CASE ARGUMENT]   (one ctest test per CASE)
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from record_warnings import unsure_traces  # noqa: E402

REFBLAME, BIN, CASE = sys.argv[1], sys.argv[2], sys.argv[3]


def prog(name):
    return os.path.join(BIN, name)


class Run:
    """One `refblame record` run: its exit status, output, and the sessions it left."""

    def __init__(self, proc, stdout, stderr):
        self.pid, self.rc, self.stdout, self.stderr = proc.pid, proc.returncode, stdout, stderr

    def leftover_sessions(self):
        out = subprocess.run(["lttng", "list"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
        return re.findall(rf"\brefblame-{self.pid}-\d+", out)

    def summary(self, key):
        m = re.search(rf"^\s*{re.escape(key)}:\s*(.*)$", self.stderr, re.M)
        check(m, f"summary has no '{key}' line:\n{self.stderr}")
        return m.group(1).strip()


# Per-PID traces the recordings kept without knowing whose they were: tests running alongside start
# instrumented processes, which every session traces; one gone before refblame could check it is kept,
# named in a warning. Reading a trace leaves them out (one may end mid-packet).
UNSURE = set()


def record(args, timeout=120, **kw):
    proc = subprocess.Popen([REFBLAME, "record"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    out, err = proc.communicate(timeout=timeout)
    UNSURE.update(unsure_traces(err))
    return Run(proc, out, err)


def inputs(trace):
    """What babeltrace2 reads of `trace`: its per-PID traces (those with metadata: the counts check that
    every process of the program has one), but those kept unsure. A foreign process's directory can
    reappear with stream files alone after refblame removed it (seen once in a parallel ctest run)."""
    dirs = [d for d, _, files in os.walk(trace) if "metadata" in files]
    return [d for d in dirs if os.path.basename(d) not in UNSURE] or [trace]


def check(cond, message):
    if not cond:
        sys.exit("FAIL: " + message)


def babeltrace(trace):
    p = subprocess.run(["babeltrace2"] + inputs(trace), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(p.returncode == 0, f"babeltrace2 cannot read {trace}: {p.stderr[-2000:]}")
    return p.stdout.splitlines()


# babeltrace2 names each event's trace "host:procname:(vpid)" from the per-PID
# trace environment: the vpid comes from there (the recorder adds no vpid context).
EVENT = re.compile(r"\) \S*:\((?P<vpid>\d+)\) (?P<name>[\w:]+): \{ cpu_id = \d+ \}, \{ (?P<ctx>[^}]*) \}, "
                   r"\{(?P<payload>.*)\}$")


def events(trace):
    """(name, context dict, payload text) of every event, in time order."""
    out = []
    for line in babeltrace(trace):
        m = EVENT.search(line)
        if m:
            ctx = dict(kv.split(" = ") for kv in m.group("ctx").split(", "))
            ctx["vpid"] = m.group("vpid")
            out.append((m.group("name"), ctx, m.group("payload")))
    return out


def refblame_events(trace):
    """The refcount op events (refblame:stack events define call stacks: not ops)."""
    return [e for e in events(trace) if e[0].startswith("refblame:") and e[0] != "refblame:stack"]


def stack_events(trace):
    return [e for e in events(trace) if e[0] == "refblame:stack"]


def payload_int(payload, field):
    m = re.search(rf"\b{field} = (\w+)", payload)
    check(m, f"no {field} in {payload}")
    return int(m.group(1), 0)


def count_processes(trace):
    """Processes with a per-PID trace (<procname>-<pid>-<date>-<time>) under trace."""
    return len({os.path.basename(d).rsplit("-", 3)[1] for d, _, files in os.walk(trace) if "metadata" in files})


def expect_clean_success(run, trace, processes, status=0):
    check(run.rc == status, f"exit status {run.rc}, expected {status}; stderr:\n{run.stderr}")
    check(not run.leftover_sessions(), f"sessions left behind: {run.leftover_sessions()}")
    check(run.summary("trace") == trace, f"summary names trace {run.summary('trace')}, expected {trace}")
    unsure = len(unsure_traces(run.stderr))  # see UNSURE
    check(run.summary("processes traced") == str(processes + unsure),
          f"summary says {run.summary('processes traced')} processes, expected {processes} "
          f"(and {unsure} kept unsure); stderr:\n{run.stderr}")
    check(count_processes(trace) == processes + unsure,
          f"{count_processes(trace)} processes have a trace under {trace}, expected {processes} (and {unsure} "
          f"kept unsure)")
    check(f"refblame blockers {trace}" in run.stderr, f"summary lacks the next command:\n{run.stderr}")


def expect_refused(run, *words, outdir=None):
    check(run.rc == 2, f"exit status {run.rc}, expected 2; stderr:\n{run.stderr}")
    for w in words:
        check(w in run.stderr, f"message does not mention '{w}':\n{run.stderr}")
    check(not run.leftover_sessions(), f"sessions left behind: {run.leftover_sessions()}")
    if outdir:
        check(not os.path.exists(outdir), f"{outdir} was created although the recording was refused")


# --- cases -------------------------------------------------------------------

def case_records_refblame_events_and_the_statedump(tmp):
    trace = os.path.join(tmp, "trace")
    run = record(["-o", trace, "--", prog("refs_workload"), "2", "1000"])
    expect_clean_success(run, trace, processes=1)
    evs = events(trace)
    names = [e[0] for e in evs]
    ref = [e for e in evs if e[0].startswith("refblame:") and e[0] != "refblame:stack"]
    check(len(ref) == 2 * (1000 + 2), f"{len(ref)} refblame events, expected 2 threads x (1000 ops + init + free)")
    check(names.count("refblame:obj_init") == 2 and names.count("refblame:obj_free") == 2, "obj_init/obj_free missing")
    check(all("vtid" in e[1] for e in ref), "vtid context missing")
    check(len({e[1]["vtid"] for e in ref}) == 2, "expected events from 2 threads")
    check("lttng_ust_statedump:start" in names and "lttng_ust_statedump:end" in names, "no statedump in the trace")
    bins = [e[2] for e in evs if e[0] == "lttng_ust_statedump:bin_info"]
    check(any(prog("refs_workload") in b for b in bins), "statedump does not list the program's binary")
    check(any("librefblame" in b for b in bins), "statedump does not list librefblame")
    check(run.summary("discarded events") == "0" and run.summary("lost packets") == "0", "loss reported")


def case_exits_with_the_program_status(tmp):
    trace = os.path.join(tmp, "trace")
    run = record(["-o", trace, "--", prog("refs_workload"), "1", "10", "3"])
    expect_clean_success(run, trace, processes=1, status=3)
    check("exited with status 3" in run.stderr, "summary does not give the program's status")


def case_keeps_the_trace_of_a_program_killed_by_sigkill(tmp):
    trace = os.path.join(tmp, "trace")
    run = record(["-o", trace, "--", prog("refs_killed"), "5000"])
    expect_clean_success(run, trace, processes=1, status=128 + signal.SIGKILL)
    check("killed by signal 9" in run.stderr, "summary does not say the program was killed")
    ref = refblame_events(trace)
    # Every op completed before the kill: obj_init + 5000 increments, the last one at count 5001.
    check(len(ref) == 5001, f"{len(ref)} refblame events, expected 5001")
    check(ref[-1][0] == "refblame:ref_mod" and "count = 5001" in ref[-1][2], f"last event is {ref[-1]}")


def case_refuses_a_missing_program(tmp):
    trace = os.path.join(tmp, "trace")
    missing = os.path.join(tmp, "no-such-program")
    expect_refused(record(["-o", trace, "--", missing]), missing, "no such file", outdir=trace)
    expect_refused(record(["-o", trace, "--", "refblame-no-such-program-in-path"]),
                   "refblame-no-such-program-in-path", "not found in PATH", outdir=trace)


def case_says_what_is_missing_from_a_wrong_liblttng_ctl(tmp):
    # argv[4]: a directory holding a liblttng-ctl.so.0 without LTTng's functions, found first through
    # LD_LIBRARY_PATH. The queries never load the library; `record` loads it before anything else.
    env = dict(os.environ, LD_LIBRARY_PATH=sys.argv[4])
    marker = os.path.join(tmp, "ran")
    r = record(["-o", os.path.join(tmp, "trace"), "--", "touch", marker], env=env)
    check(r.rc == 2, f"exit status {r.rc}: {r.stderr}")
    for words in ("liblttng-ctl.so.0 has no function lttng_", "install"):
        check(words in r.stderr, f"message lacks '{words}':\n{r.stderr}")
    check(not os.path.exists(marker), "the program ran")
    check(not os.path.exists(os.path.join(tmp, "trace")), "a trace directory was made")
    # The queries never load it: the dynamic loader's list of what refblame needs at start leaves it out.
    needed = subprocess.run([REFBLAME], env=dict(os.environ, LD_TRACE_LOADED_OBJECTS="1"), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True).stdout
    check("libbabeltrace2" in needed, f"no list of libraries:\n{needed}")
    check("liblttng-ctl" not in needed, f"refblame loads liblttng-ctl at start:\n{needed}")


def case_refuses_a_non_executable_file(tmp):
    trace = os.path.join(tmp, "trace")
    script = os.path.join(tmp, "not-executable")
    with open(script, "w") as f:
        f.write("#!/bin/sh\nexit 0\n")
    os.chmod(script, 0o644)
    expect_refused(record(["-o", trace, "--", script]), script, "not executable", outdir=trace)
    expect_refused(record(["-o", trace, "--", tmp]), tmp, "is a directory", outdir=trace)


def case_refuses_a_non_empty_output_dir(tmp):
    trace = os.path.join(tmp, "trace")
    os.mkdir(trace)
    keep = os.path.join(trace, "keep.txt")
    with open(keep, "w") as f:
        f.write("mine")
    run = record(["-o", trace, "--", prog("refs_workload"), "1", "10"])
    expect_refused(run, trace, "not empty", "--force")
    check(os.listdir(trace) == ["keep.txt"], f"{trace} was changed: {os.listdir(trace)}")
    afile = os.path.join(tmp, "a-file")
    open(afile, "w").close()
    expect_refused(record(["-o", afile, "--", prog("refs_workload"), "1", "10"]), afile, "not a directory")


def case_force_replaces_the_previous_trace(tmp):
    trace = os.path.join(tmp, "trace")
    first = record(["-o", trace, "--", prog("refs_workload"), "1", "10"])
    expect_clean_success(first, trace, processes=1)
    second = record(["-o", trace, "--force", "--", prog("refs_workload"), "1", "20"])
    expect_clean_success(second, trace, processes=1)
    ref = refblame_events(trace)
    check(len(ref) == 22, f"{len(ref)} refblame events after --force, expected only the second run's 22")


def stack_depths(trace):
    """Every op's stack id, and the number of frames of each defined stack (per process, defined before use)."""
    defined, used = {}, []
    for name, ctx, payload in events(trace):
        if name == "refblame:stack":
            frames = payload_int(payload, "_frames_length")
            defined[(ctx["vpid"], payload_int(payload, "id"))] = frames
        elif name.startswith("refblame:"):
            sid = payload_int(payload, "stack")
            check(sid == 0 or (ctx["vpid"], sid) in defined, f"{name} uses stack {sid} before its definition")
            used.append(sid)
    return used, defined


def case_records_call_stacks_of_the_depth_asked(tmp):
    trace = os.path.join(tmp, "trace")
    run = record(["-o", trace, "--stack", "3", "--", prog("refs_workload"), "2", "500"])
    expect_clean_success(run, trace, processes=1)
    used, defined = stack_depths(trace)
    check(len(used) == 2 * (500 + 2), f"{len(used)} op events, expected {2 * (500 + 2)}")
    check(all(used), "ops without a stack id under --stack 3")
    check(defined and all(1 <= n <= 3 for n in defined.values()), f"stack sizes {sorted(set(defined.values()))}")
    check(len(defined) <= 20, f"{len(defined)} stacks written for a loop of a few call sites: not deduplicated")


def case_stack_0_records_the_call_site_only(tmp):
    trace = os.path.join(tmp, "trace")
    run = record(["-o", trace, "--stack", "0", "--", prog("refs_workload"), "1", "10"])
    expect_clean_success(run, trace, processes=1)
    used, defined = stack_depths(trace)
    check(len(used) == 12 and not any(used), f"stack ids {set(used)} with --stack 0")
    check(not defined, "refblame:stack events with --stack 0")


def case_records_short_stacks_by_default(tmp):
    trace = os.path.join(tmp, "trace")
    env = {k: v for k, v in os.environ.items() if k != "REFBLAME_STACK"}
    run = record(["-o", trace, "--", prog("refs_workload"), "1", "10"], env=env)
    expect_clean_success(run, trace, processes=1)
    used, defined = stack_depths(trace)
    check(all(used) and defined, "no call stacks in a default recording")
    check(max(defined.values()) <= 8, f"default stacks of {max(defined.values())} frames, expected at most 8")


def expect_option_refused(tmp, option, *words):
    """`record OPTION -- a short program` must be refused before anything is recorded, naming `words`."""
    trace = os.path.join(tmp, "trace")
    expect_refused(record(["-o", trace, option, "--", prog("refs_workload"), "1", "10"]), *words, outdir=trace)


def case_refuses_a_bad_stack_depth(tmp):
    expect_option_refused(tmp, "--stack=65", "--stack 65", "64")
    expect_option_refused(tmp, "--stack=-1", "--stack -1")


def case_refuses_a_bad_buffer_size(tmp):
    expect_option_refused(tmp, "--buffer-size=10M", "--buffer-size 10M", "power of two")
    expect_option_refused(tmp, "--buffer-size=lots", "--buffer-size lots")


def case_refuses_a_bad_daemon_timeout(tmp):
    expect_option_refused(tmp, "--daemon-timeout=-1", "--daemon-timeout -1", "0 to wait as long as it takes")
    expect_option_refused(tmp, "--daemon-timeout=soon", "--daemon-timeout")


def count_op_events(trace):
    """The refcount op events in the trace, and the discarded-events messages, counted at C speed:
    babeltrace2's one-line-per-message output (its compact details sink: 3x faster than the pretty text)
    through awk. A Python list of millions of events would take longer than the recording."""
    details = "compact=yes,with-metadata=no,with-time=no,with-trace-name=no,with-stream-class-name=no," \
              "with-stream-name=no,with-uuid=no,color=never"
    bt = subprocess.Popen(["babeltrace2"] + inputs(trace) + ["-c", "sink.text.details", "-p", details],
                          stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    awk = subprocess.run(["awk", r"/^\{[0-9 ]*\} Event `refblame:(ref|obj)_/ {n++} /Discarded/ {d++} "
                                 r"END {print n + 0, d + 0}"],
                         stdin=bt.stdout, stdout=subprocess.PIPE, text=True)  # the ops, not refblame:stack
    bt.stdout.close()
    err = bt.stderr.read().decode()
    check(bt.wait() == 0, f"babeltrace2 failed: {err[-2000:]}")
    n, discarded = (int(x) for x in (awk.stdout.split() + ["0", "0"])[:2])
    check(discarded == 0 and "discarded" not in err.lower(), f"babeltrace2 reports discarded events: {err[-2000:]}")
    return n


def case_keeps_all_events_of_8_threads(tmp):
    # More data than the default buffers hold (2 M events, ~70 MB; 2 x 32 MiB), written by more threads than
    # there are CPUs on CI machines.
    trace = os.path.join(tmp, "trace")
    threads, ops = 8, 250000
    run = record(["-o", trace, "--", prog("refs_workload"), str(threads), str(ops)], timeout=300)
    expect_clean_success(run, trace, processes=1)
    check(run.summary("discarded events") == "0", f"discarded events:\n{run.stderr}")
    check(run.summary("lost packets") == "0", f"lost packets:\n{run.stderr}")
    n = count_op_events(trace)
    check(n == threads * (ops + 2), f"{n} refblame events in the trace, expected {threads * (ops + 2)}")


def case_blocking_mode_keeps_what_discard_mode_loses(tmp):
    # One writer: LTTng-UST's blocking waits for room in a full buffer, but with more writing threads than
    # CPUs it still drops the events that wrap onto a sub-buffer whose writer was preempted mid-event
    # (counted and reported as discarded; the README says so). The statedump's thread writes too, while the
    # program starts: without its base-address part (not needed to count) it writes 3 small events, not ~30,
    # so that one writer it stays. Recorded that way, discard mode with 512 KiB buffers lost 34 k to 748 k of the
    # 2 M events in 5 runs out of 6 (1 MiB: 1 in 6), and is tried up to 5 times; blocking mode took 1.4 to 10 s
    # (LTTng-UST retries a full buffer every 10 ms).
    ops = 2000000
    args = ["--buffer-size", "512K", "--", prog("refs_workload"), "1", str(ops)]
    env = dict(os.environ, LTTNG_UST_WITHOUT_BADDR_STATEDUMP="1")
    for attempt in range(5):
        lossy = os.path.join(tmp, f"lossy{attempt}")
        run = record(["-o", lossy, "--allow-loss"] + args, env=env)
        expect_clean_success(run, lossy, processes=1)
        if int(run.summary("discarded events")) > 0:
            break
    else:
        print("SKIP: 512 KiB buffers in discard mode kept 2 M events 5 times: no buffer pressure to test")
        sys.exit(77)
    trace = os.path.join(tmp, "trace")
    run = record(["-o", trace] + args, env=env)
    expect_clean_success(run, trace, processes=1)
    check(run.summary("discarded events") == "0", f"blocking mode discarded events:\n{run.stderr}")
    check(run.summary("lost packets") == "0", f"blocking mode lost packets:\n{run.stderr}")
    n = count_op_events(trace)
    check(n == ops + 2, f"{n} refblame events in the trace, expected {ops + 2}")


def case_allow_loss_reports_what_was_discarded(tmp):
    trace = os.path.join(tmp, "trace")
    ops = 2000000
    run = record(["-o", trace, "--allow-loss", "--buffer-size", "16K", "--", prog("refs_workload"), "1", str(ops)])
    expect_clean_success(run, trace, processes=1)
    discarded = int(run.summary("discarded events"))
    check(discarded > 0, "16 KiB buffers in discard mode kept 2 M events: the test needs a smaller buffer")
    check("events were lost" in run.stderr and "without --allow-loss" in run.stderr, "no loss warning")
    n = len(refblame_events(trace))
    check(n + discarded == ops + 2, f"{n} events in the trace + {discarded} reported discarded != {ops + 2} emitted")


def case_traces_a_forked_child_as_its_own_process(tmp):
    trace = os.path.join(tmp, "trace")
    run = record(["-o", trace, "--", prog("refs_fork"), "100"])
    expect_clean_success(run, trace, processes=2)
    m = re.search(r"parent=(\d+) child=(\d+)", run.stdout)
    check(m, f"program output: {run.stdout}")
    per_pid = {}
    for name, ctx, payload in refblame_events(trace):
        per_pid.setdefault(ctx["vpid"], []).append(name)
    for pid in m.groups():
        got = per_pid.get(pid, [])
        check(len(got) == 102, f"process {pid}: {len(got)} refblame events, expected 102; all: "
              f"{ {k: len(v) for k, v in per_pid.items()} }")
    check(set(per_pid) == set(m.groups()), f"events from unexpected processes: {set(per_pid)}")


def case_traces_a_forked_and_execed_child(tmp):
    trace = os.path.join(tmp, "trace")
    run = record(["-o", trace, "--", prog("refs_fork"), "100", prog("refs_workload"), "1", "50"])
    expect_clean_success(run, trace, processes=2)
    m = re.search(r"parent=(\d+) child=(\d+)", run.stdout)
    check(m, f"program output: {run.stdout}")
    parent, child = m.groups()
    kinds = {}
    for name, ctx, payload in refblame_events(trace):
        kinds.setdefault(ctx["vpid"], []).append(name)
    check(len(kinds.get(parent, [])) == 102, f"parent: {len(kinds.get(parent, []))} events, expected 102")
    check(len(kinds.get(child, [])) == 52, f"exec'd child: {len(kinds.get(child, []))} events, expected 52")


def signal_case(tmp, sig, mode):
    trace = os.path.join(tmp, f"trace-{sig}-{mode}")
    ready = os.path.join(tmp, f"ready-{sig}-{mode}")
    proc = subprocess.Popen([REFBLAME, "record", "-o", trace, "--", prog("refs_wait_signal"), ready, mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not os.path.exists(ready):
        if proc.poll() is not None:
            check(False, f"refblame exited early: {proc.communicate()}")
        check(time.monotonic() < deadline, "the program never got ready")
        time.sleep(0.05)
    os.kill(proc.pid, sig)
    out, err = proc.communicate(timeout=60)
    run = Run(proc, out, err)
    return run, trace


def case_forwards_sigint_and_sigterm_to_the_program(tmp):
    for sig in (signal.SIGTERM, signal.SIGINT):
        # The program catches it: refblame survives, the program gets it once
        # and ends on its own (status 100 + signal), its last ops recorded.
        run, trace = signal_case(tmp, sig, "handle")
        expect_clean_success(run, trace, processes=1, status=100 + sig)
        names = [e[0] for e in refblame_events(trace)]
        check(names[-1] == "refblame:obj_free", f"{sig}: ops after the signal missing: {names}")
        # Default action: the program dies of it, refblame reports 128 + signal and keeps the trace.
        run, trace = signal_case(tmp, sig, "default")
        expect_clean_success(run, trace, processes=1, status=128 + sig)
        check(len(refblame_events(trace)) == 2, f"{sig}: events before the signal missing")


def case_leaves_out_other_instrumented_processes(tmp):
    # A session traces every instrumented process on the machine: one that
    # runs meanwhile but is not the program's must not end up in its trace.
    ready = os.path.join(tmp, "other-ready")
    other = subprocess.Popen([prog("refs_wait_signal"), ready, "handle"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(ready):
            check(other.poll() is None and time.monotonic() < deadline, "the other process never got ready")
            time.sleep(0.05)
        trace = os.path.join(tmp, "trace")
        run = record(["-o", trace, "--", prog("refs_fork"), "10"])
        expect_clean_success(run, trace, processes=2)
        check(f"-{other.pid}-" in run.summary("left out"), f"summary does not name the left-out process:\n{run.stderr}")
        pids = {ctx["vpid"] for _, ctx, _ in events(trace)}
        ours = set(re.search(r"parent=(\d+) child=(\d+)", run.stdout).groups())
        check(pids == ours, f"trace holds events of processes {pids}, the program's are {ours}")
    finally:
        other.send_signal(signal.SIGTERM)
        other.wait(timeout=30)


def private_daemon(tmp):
    """(command prefix, environment, home) that give `refblame record` a session daemon of its own to start:
    as root, run as nobody (root always uses the global daemon) with a private LTTNG_HOME; otherwise the
    private LTTNG_HOME alone."""
    home = tempfile.mkdtemp(prefix="rb-home-", dir=tmp)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LTTNG_HOME": home}
    if os.geteuid() != 0:
        return [], env, home
    os.chmod(tmp, 0o755)
    os.chown(home, 65534, 65534)
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], env, home


def case_starts_and_stops_its_own_session_daemon_when_none_runs(tmp):
    # With a private LTTNG_HOME no daemon is alive: refblame must start one,
    # record through it, and stop that one (by pid).
    wrap, env, home = private_daemon(tmp)
    trace = os.path.join(home, "trace")
    proc = subprocess.Popen(wrap + [REFBLAME, "record", "-o", trace, "--", prog("refs_workload"), "1", "100", "5"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out, err = proc.communicate(timeout=120)
    check(proc.returncode == 5, f"exit status {proc.returncode}: {err}")
    m = re.search(r"started lttng-sessiond \(pid (\d+)\)", err)
    check(m, f"refblame did not say it started a daemon: {err}")
    pid = int(m.group(1))
    check(not os.path.exists(f"/proc/{pid}"), f"the daemon it started (pid {pid}) is still running")
    check(len(refblame_events(trace)) == 102, "trace recorded through the private daemon is incomplete")


def children(pid, comm):
    """Processes named `comm` whose parent is `pid`."""
    out = subprocess.run(["pgrep", "-P", str(pid), "-x", comm], stdout=subprocess.PIPE, text=True).stdout
    return [int(p) for p in out.split()]


def wait_for(cond, what, seconds=60):
    deadline = time.monotonic() + seconds
    while not cond():
        check(time.monotonic() < deadline, f"gave up waiting: {what}")
        time.sleep(0.05)


def stream_bytes(trace):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(trace)
               for f in files if f != "metadata" and not d.endswith("index") and not f.endswith(".json"))


def case_gives_up_on_a_hung_consumer_daemon_and_says_the_trace_may_be_incomplete(tmp):
    # The consumer daemon writes the buffers to the trace; stopped (as a hung
    # one), every liblttng-ctl call that needs it blocks forever. refblame must
    # give up after --daemon-timeout without progress, say the trace may be
    # incomplete (in its summary, and in what every query of the trace says),
    # and still stop the daemon it started, its stopped consumer with it.
    wrap, env, home = private_daemon(tmp)
    trace, ready, pairs = os.path.join(home, "trace"), os.path.join(home, "ready"), 200000
    proc = subprocess.Popen(wrap + [REFBLAME, "record", "--daemon-timeout", "2", "-o", trace, "--",
                                    prog("refs_wait_signal"), ready, "handle", str(pairs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sessiond, consumers = None, []
    try:
        wait_for(lambda: os.path.exists(ready) or proc.poll() is not None, "the program never got ready")
        if proc.poll() is not None:
            check(False, f"refblame exited early: {proc.communicate()}")
        with open(os.path.join(home, ".lttng", "lttng-sessiond.pid")) as f:
            sessiond = int(f.read())
        # Part of the trace written (some of the 15 MB of events), then the consumer stops.
        wait_for(lambda: stream_bytes(trace) > 4 << 20, "the consumer daemon wrote no sub-buffer")
        consumers = children(sessiond, "lttng-consumerd")
        check(consumers, f"lttng-sessiond {sessiond} has no lttng-consumerd child")
        for c in consumers:
            os.kill(c, signal.SIGSTOP)
        proc.send_signal(signal.SIGTERM)  # the program ends (status 115) with its last ops in the buffers
        out, err = proc.communicate(timeout=60)
        # Gone before anything here lets the consumer go on: refblame killed what it started.
        wait_for(lambda: not os.path.exists(f"/proc/{sessiond}"), f"the daemon refblame started ({sessiond}) still runs",
                 10)
        for c in consumers:
            wait_for(lambda: not os.path.exists(f"/proc/{c}"), f"its stopped consumer daemon ({c}) still runs", 10)
    finally:
        hung = proc.poll() is None
        if hung:  # the daemon refblame started is left behind: stop it, by pid
            proc.kill()
        for pid, sig in [(c, signal.SIGCONT) for c in consumers] + [(sessiond, signal.SIGKILL)] * hung:
            try:
                if pid:
                    os.kill(pid, sig)
            except ProcessLookupError:
                pass
    check(proc.returncode == 115, f"exit status {proc.returncode}: {err}")
    check(re.search(r"warning: LTTng wrote nothing more of the trace for 2 s .*consumer daemon.*may lack its last events",
                    err), f"no warning that the trace may be incomplete:\n{err}")
    with open(os.path.join(trace, "refblame-record.json")) as f:
        check("consumer daemon" in json.load(f).get("incomplete", ""), "refblame-record.json does not say so")
    # What a query says depends on what the consumer wrote before it stopped: the metadata reaches the
    # trace only when the session stops, so it is empty here (as far as seen), and the trace unreadable.
    stats = subprocess.run([REFBLAME, "stats", "--format", "json", trace], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    note = "the recording did not end cleanly: LTTng wrote nothing more"
    metadata = [os.path.join(d, "metadata") for d, _, files in os.walk(trace) if "metadata" in files]
    if any(os.path.getsize(m) == 0 for m in metadata):
        check(stats.returncode == 2 and "metadata: the file is empty" in stats.stderr and note in stats.stderr,
              f"stats of a trace with empty metadata: {stats.returncode} {stats.stderr}")
    else:
        check(stats.returncode == 0, f"stats of the partial trace: {stats.returncode} {stats.stderr}")
        report = json.loads(stats.stdout)
        check(any(note in w for w in report["warnings"]), f"stats does not warn: {report['warnings']}")
        check(report["events"] < 2 * pairs + 4, f"{report['events']} events: the trace should lack its last ones")


def case_gives_up_on_a_daemon_that_does_not_set_up_the_session(tmp):
    # A session daemon that outlives a recording, whose consumer daemon then
    # hangs (stopped here): setting up the next session never gets an answer.
    # refblame must give up after --daemon-timeout, before running the program,
    # with exit status 2 and a message saying why and what to do.
    wrap, env, home = private_daemon(tmp)
    check(subprocess.run(wrap + ["lttng-sessiond", "--daemonize", "--no-kernel"], env=env).returncode == 0,
          "cannot start a session daemon")
    with open(os.path.join(home, ".lttng", "lttng-sessiond.pid")) as f:
        sessiond = int(f.read())
    consumers = []
    try:
        first = subprocess.run(wrap + [REFBLAME, "record", "-o", os.path.join(home, "first"), "--",
                                       prog("refs_workload"), "1", "10"], env=env, stderr=subprocess.PIPE, text=True)
        check(first.returncode == 0 and "started lttng-sessiond" not in first.stderr,
              f"the first recording did not use the running daemon: {first.returncode} {first.stderr}")
        consumers = children(sessiond, "lttng-consumerd")
        check(consumers, f"lttng-sessiond {sessiond} has no lttng-consumerd child")
        for c in consumers:
            os.kill(c, signal.SIGSTOP)
        marker = os.path.join(home, "ran")
        proc = subprocess.run(wrap + [REFBLAME, "record", "--daemon-timeout", "2", "-o", os.path.join(home, "second"),
                                      "--", "touch", marker], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        check(proc.returncode == 2, f"exit status {proc.returncode}: {proc.stderr}")
        for words in ("has not set up the recording session within 2 s", "lttng-consumerd",
                      "Nothing was recorded and touch did not run", "lttng destroy refblame-"):
            check(words in proc.stderr, f"message lacks '{words}':\n{proc.stderr}")
        check(not os.path.exists(marker), "the program ran")
    finally:  # the daemon started here, and its consumers: stopped by pid
        for pid in consumers + [sessiond]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def main():
    fn = globals().get("case_" + CASE)
    if fn is None:
        sys.exit(f"unknown case {CASE}")
    with tempfile.TemporaryDirectory(prefix="rb-record-") as tmp:
        fn(tmp)
    print("ok", CASE)


if __name__ == "__main__":
    main()
