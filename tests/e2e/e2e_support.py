"""e2e_support.py: helpers for the end-to-end tests: run the real refblame CLI with a timeout, read source markers."""
import json
import os
import re
import shutil
import subprocess
import sys


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from record_warnings import unsure_traces  # noqa: E402


def drop_unsure(trace, record_stderr):
    """Removes from a recording the per-PID traces `refblame record` kept unsure (named in its warnings): in
    a parallel ctest run, another test's instrumented process that exited before refblame could tell whose
    it was. Directories without metadata go too (a removed foreign one reappeared with stream files once)."""
    names = unsure_traces(record_stderr)
    pid_dir = os.path.join(trace, "ust", "pid")
    for name in os.listdir(pid_dir) if os.path.isdir(pid_dir) else []:
        d = os.path.join(pid_dir, name)
        if name in names or not os.path.exists(os.path.join(d, "metadata")):
            shutil.rmtree(d)


class Fail(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Fail(message)


class Result:
    def __init__(self, argv, proc, stdout, stderr):
        self.argv, self.pid, self.rc, self.stdout, self.stderr = argv, proc.pid, proc.returncode, stdout, stderr

    def json(self):
        try:
            return json.loads(self.stdout)
        except ValueError as e:
            raise Fail(f"{' '.join(self.argv)}: stdout is not JSON ({e}):\n{self.stdout[:2000]}\n{self.stderr[-2000:]}")


def run(argv, timeout=120, env=None):
    """Runs argv; a hang past `timeout` seconds is a failure, never a stuck test."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise Fail(f"{' '.join(argv)} hung for {timeout} s; stderr:\n{err[-2000:]}")
    return Result(argv, proc, out, err)


def query(refblame, command, trace, *args, timeout=60, ok=(0,)):
    """`refblame COMMAND TRACE --format json ARGS`: its JSON answer (exit status must be in `ok`)."""
    r = run([refblame, command, trace, "--format", "json", *args], timeout=timeout)
    check(r.rc in ok, f"refblame {command} exited {r.rc}:\n{r.stderr[-3000:]}")
    return r.json()


def text_query(refblame, command, trace, *args, timeout=60):
    r = run([refblame, command, trace, *args], timeout=timeout)
    check(r.rc == 0, f"refblame {command} exited {r.rc}:\n{r.stderr[-3000:]}")
    return r.stdout


def markers(source, tag):
    """{name: line} for every `TAG(name)` marker in source."""
    found = {}
    with open(source) as f:
        for number, line in enumerate(f, 1):
            for m in re.finditer(rf"\b{tag}\((\w+)\)", line):
                found[m.group(1)] = number
    check(found, f"{source}: no {tag}(...) marker")
    return found


def function_is(site, name):
    got = (site or {}).get("function") or ""
    return got == name or got.endswith("::" + name)


def main(cases, argv_count):
    """Runs the case named by the last argument: case_<name>(tmp) from `cases`."""
    import tempfile
    if len(sys.argv) != argv_count + 1:
        sys.exit(f"usage: {sys.argv[0]} ... CASE")
    fn = cases.get("case_" + sys.argv[-1])
    if fn is None:
        sys.exit(f"unknown case {sys.argv[-1]}")
    with tempfile.TemporaryDirectory(prefix="rb-e2e-") as tmp:
        try:
            fn(tmp)
        except Fail as f:
            sys.exit(f"FAIL: {f}")
    print("ok", sys.argv[-1])
