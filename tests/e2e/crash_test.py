#!/usr/bin/env python3
"""crash_test.py: a recorded program that aborts, segfaults or is SIGKILLed mid-run: `refblame record` exits 128+N, the
trace is analyzed up to the end, and the reports say the process ended abnormally (and say nothing of the kind when it
exited normally, or when the trace has no refblame-record.json).

Usage: crash_test.py REFBLAME PROGRAM SOURCE CASE
"""
import os
import re
import signal
import subprocess
import sys
import time

from e2e_support import Fail, Result, check, drop_unsure, function_is, main, markers, query, run, text_query

REFBLAME, PROGRAM, SOURCE = sys.argv[1:4]
# An ASan build must let the segfault kill the program instead of reporting it and exiting 1.
ENV = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":handle_segv=0:handle_abort=0")


def record(tmp, mode):
    trace = os.path.join(tmp, "trace-" + mode)
    if mode != "killed":
        rec = run([REFBLAME, "record", "-o", trace, "--", PROGRAM, mode], env=ENV)
    else:  # SIGKILL the program itself (not refblame) while it is still operating on references
        ready = os.path.join(tmp, "ready")
        proc = subprocess.Popen([REFBLAME, "record", "-o", trace, "--", PROGRAM, mode, ready], env=ENV,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not os.path.exists(ready):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise Fail(f"the program never got ready: {proc.communicate()}")
            time.sleep(0.02)
        with open(ready) as f:
            os.kill(int(f.read()), signal.SIGKILL)
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise Fail("refblame record did not return after its program was killed")
        rec = Result(["refblame", "record"], proc, out, err)
    drop_unsure(trace, rec.stderr)
    m = re.search(r"page=(0x[0-9a-f]+) pinner=(0x[0-9a-f]+) pid=(\d+)", rec.stdout)
    check(m, f"program output: {rec.stdout!r}; refblame stderr:\n{rec.stderr}")
    return trace, rec, m.group(1), m.group(2), int(m.group(3))


def check_analyzable(trace, page, pinner):
    """The held reference and the failed freeze before the end are in the answers, with their sites."""
    line = markers(SOURCE, "SITE")["pin_page"]
    blockers = query(REFBLAME, "blockers", trace)
    check(len(blockers["blocked"]) == 1, f"{len(blockers['blocked'])} failed freezes, the program made 1")
    b = blockers["blocked"][0]
    check(b["object"] == page and b["count"] == 2 and b["expected"] == 1, f"blocked entry: {b}")
    extra = [h for h in b["holders"] if h["holder"] == pinner]
    check(len(extra) == 1 and extra[0]["confidence"] == "exact" and extra[0]["site"]["line"] == line
          and function_is(extra[0]["site"], "pin_page"), f"holders at the failed freeze: {b['holders']}")
    leaks = query(REFBLAME, "leaks", trace)
    held = [o for o in leaks["objects"] if o["object"] == page]
    check(len(held) == 1 and not held[0]["freed"], f"page not reported held at the end: {leaks['objects']}")
    check(any(h["holder"] == pinner and h["site"]["line"] == line for h in held[0]["holders"]),
          f"pinner not among the page's holders at the end: {held[0]['holders']}")
    return blockers, leaks


def check_abnormal(tmp, mode, sig):
    trace, rec, page, pinner, pid = record(tmp, mode)
    check(rec.rc == 128 + sig, f"refblame record exited {rec.rc}, expected {128 + sig}:\n{rec.stderr}")
    check(f"killed by signal {sig}" in rec.stderr, f"record summary does not say signal {sig}:\n{rec.stderr}")
    blockers, leaks = check_analyzable(trace, page, pinner)
    for name, report in (("blockers", blockers), ("leaks", leaks), ("stats", query(REFBLAME, "stats", trace))):
        ends = report.get("process_ends", [])
        check(ends == [{"pid": pid, "program": PROGRAM, "exit_status": 128 + sig, "signal": sig, "abnormal": True}],
              f"{name} --format json: process_ends {ends}, expected pid {pid} killed by signal {sig}")
        check(any(f"process {pid}" in w and "ended abnormally" in w and f"signal {sig}" in w
                  for w in report["warnings"]), f"{name} --format json warnings do not say so: {report['warnings']}")
    for command in ("blockers", "leaks", "stats"):
        out = text_query(REFBLAME, command, trace)
        check(re.search(rf"process {pid} \(.*\) ended abnormally: killed by signal {sig} \(SIG", out),
              f"{command} text does not say the process ended abnormally:\n{out}")


def case_abort(tmp):
    check_abnormal(tmp, "abort", signal.SIGABRT)


def case_segfault(tmp):
    check_abnormal(tmp, "segv", signal.SIGSEGV)


def case_sigkill_mid_run(tmp):
    check_abnormal(tmp, "killed", signal.SIGKILL)


def case_normal_exit_is_not_called_abnormal(tmp):
    trace, rec, page, pinner, pid = record(tmp, "exit3")
    check(rec.rc == 3, f"refblame record exited {rec.rc}, expected the program's 3")
    blockers, leaks = check_analyzable(trace, page, pinner)
    check(leaks["process_ends"] == [{"pid": pid, "program": PROGRAM, "exit_status": 3, "signal": 0,
                                     "abnormal": False}], f"process_ends: {leaks['process_ends']}")
    check(not any("abnormally" in w for w in leaks["warnings"]), f"warnings: {leaks['warnings']}")
    check("abnormally" not in text_query(REFBLAME, "leaks", trace), "text calls a normal exit abnormal")


def case_trace_without_recording_info_is_still_analyzed(tmp):
    # Any LTTng output directory is a TRACE: without the recorder's file nothing is said about process ends.
    trace, rec, page, pinner, pid = record(tmp, "abort")
    os.remove(os.path.join(trace, "refblame-record.json"))
    blockers, leaks = check_analyzable(trace, page, pinner)
    check("process_ends" not in leaks and not any("abnormally" in w for w in leaks["warnings"]),
          f"without refblame-record.json: {leaks.get('process_ends')} {leaks['warnings']}")
    # A damaged file is a warning, not an error.
    with open(os.path.join(trace, "refblame-record.json"), "w") as f:
        f.write('{"format": 1, "program": ')
    leaks = query(REFBLAME, "leaks", trace)
    check(any("refblame-record.json: cannot be used" in w for w in leaks["warnings"]),
          f"a damaged refblame-record.json is not mentioned: {leaks['warnings']}")


if __name__ == "__main__":
    main(globals(), 4)
