#!/usr/bin/env python3
"""stack_capture_test.py: call stacks recorded by librefblame (REFBLAME_STACK) under a real session daemon.

Usage: stack_capture_test.py PROGRAM SOURCE CASE
PROGRAM is tests/lib/stack_frames.c built with or without frame pointers; the
expected frames are the FRAME(function) markers of SOURCE.
"""
import functools
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import lttng_trace  # noqa: E402

PROGRAM, SOURCE, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
ROUNDS = 1000


def markers(kind):
    """function -> [line, ...] of every KIND(function) marker in SOURCE, in file order."""
    out = {}
    with open(SOURCE) as f:
        for number, line in enumerate(f, 1):
            for fn in re.findall(kind + r"\((\w+)\)", line):
                out.setdefault(fn, []).append(number)
    return out


FRAMES = markers("FRAME")
OPS = markers("OP")


def fail(message):
    sys.exit("FAIL: " + message)


def check(cond, message):
    if not cond:
        fail(message)


def record(env):
    with tempfile.TemporaryDirectory(prefix="rb-stacks-") as tmp:
        out = os.path.join(tmp, "trace")
        proc = lttng_trace.record([PROGRAM, str(ROUNDS)], out, env=env)
        check(proc.returncode == 0, f"{PROGRAM} exited {proc.returncode}: {proc.stderr}")
        bias = int(re.search(r"^BIAS (0x[0-9a-f]+)$", proc.stdout, re.M).group(1), 16)
        events = lttng_trace.events(out)
    by_pid = {}
    for ev in events:
        by_pid.setdefault(ev["vpid"], []).append(ev)
    check(proc.pid in by_pid, f"no event of {PROGRAM} (pid {proc.pid}) in the trace")
    # Other programs traced meanwhile (tests run in parallel) are in the trace too: keep the forked child only.
    child = int(re.search(r"^CHILD (\d+)$", proc.stdout, re.M).group(1))
    return proc, bias, by_pid[proc.pid], [by_pid[child]] if child in by_pid else []


@functools.lru_cache(maxsize=None)
def where(bias, address):
    """(function, line) of a return address in PROGRAM, refblame's headers skipped."""
    header_dir = os.path.abspath(os.path.join(os.path.dirname(SOURCE), "..", "..", "lib", "include")) + "/"
    frame = lttng_trace.source_frame(PROGRAM, address - bias, [header_dir, "/usr/include/"])
    return (frame[0].split("(")[0], frame[2]) if frame else (None, 0)


def stacks_of(events):
    """id -> frames of the process's refblame:stack events; fails on an id defined twice or used before defined."""
    defined = {}
    for ev in events:
        if ev["name"] == "stack":
            check(ev["id"] not in defined, f"stack {ev['id']} written twice in one process")
            check(len(ev["frames"]) == ev["_frames_length"], "frames length mismatch")
            defined[ev["id"]] = ev["frames"]
        elif ev.get("stack", 0):
            check(ev["stack"] in defined, f"{ev['name']} uses stack {ev['stack']} before (or without) its definition")
    return defined


def chain_problems(bias, events, main_line, depth):
    """What is wrong with the stacks of the ops in inner(): they must be middle, outer, main at the marked lines."""
    stacks = stacks_of(events)
    expected = [("middle", FRAMES["middle"][0]), ("outer", FRAMES["outer"][0]), ("main", main_line)][:depth]
    problems = []
    ops = [ev for ev in events if ev["name"] == "ref_mod"]
    check(len(ops) >= 2, f"only {len(ops)} ref_mod events")
    for ev in ops:
        fn, line = where(bias, ev["caller"])
        check(fn == "inner" and line in OPS["inner"], f"caller resolves to {fn}:{line}, not inner")
        frames = stacks.get(ev["stack"], [])
        got = [where(bias, a) for a in frames[:len(expected)]]
        if got != expected:
            problems.append(f"stack {ev['stack']}: {got}, expected {expected}")
    return sorted(set(problems))


def expect_chain(env, depth=3):
    proc, bias, events, children = record(env)
    problems = chain_problems(bias, events, FRAMES["main"][0], depth)
    for p in problems:
        print("FAIL", p)
    check(not problems, f"{len(problems)} wrong stacks with {env}")
    return proc, events, children


def case_fp_walk_records_the_call_chain():
    expect_chain({"REFBLAME_STACK": "8", "REFBLAME_STACK_WALK": "fp"})


def case_auto_walk_records_the_call_chain():
    expect_chain({"REFBLAME_STACK": "8"})


def case_libunwind_walk_records_the_call_chain():
    expect_chain({"REFBLAME_STACK": "8", "REFBLAME_STACK_WALK": "libunwind"})


def case_fp_walk_alone_loses_frames_without_frame_pointers():
    # Shows the program without frame pointers really needs libunwind: the
    # unchecked frame-pointer walk gets its stacks wrong.
    _, bias, events, _ = record({"REFBLAME_STACK": "8", "REFBLAME_STACK_WALK": "fp"})
    problems = chain_problems(bias, events, FRAMES["main"][0], 3)
    check(problems, "the frame-pointer walk found every frame: is the program built without frame pointers?")


def case_stacks_are_written_once_per_process():
    _, events, _ = expect_chain({"REFBLAME_STACK": "8"})
    ops = [ev for ev in events if ev["name"] == "ref_mod"]
    stacks = [ev for ev in events if ev["name"] == "stack"]
    check(len(ops) == 2 * ROUNDS, f"{len(ops)} ref_mod events, expected {2 * ROUNDS}")
    # inner's two ops share one stack; obj_init and obj_free in main another.
    check(len(stacks) <= 3, f"{len(stacks)} stack events for {len(ops)} ops from one call chain")


def case_forked_child_writes_its_own_stacks():
    proc, bias, events, children = record({"REFBLAME_STACK": "8"})
    check(len(children) == 1, f"{len(children)} child processes traced, expected 1")
    child = children[0]
    defined = stacks_of(child)
    check(min(defined, default=0) == 1, f"the child's stack ids start at {min(defined, default=None)}, not 1")
    problems = chain_problems(bias, child, FRAMES["main"][1], 3)
    check(not problems, f"child stacks: {problems}")


def case_depth_limits_the_frames():
    _, events, _ = expect_chain({"REFBLAME_STACK": "2"}, depth=2)
    for ev in events:
        if ev["name"] == "stack":
            check(len(ev["frames"]) <= 2, f"REFBLAME_STACK=2 recorded {len(ev['frames'])} frames")


def case_bad_values_are_reported_not_guessed():
    proc, _, events, _ = record({"REFBLAME_STACK": "lots"})
    check("REFBLAME_STACK='lots'" in proc.stderr, f"no message about REFBLAME_STACK=lots: {proc.stderr!r}")
    check(all(ev.get("stack", 0) == 0 for ev in events), "stacks recorded although REFBLAME_STACK was not a number")
    check(not [ev for ev in events if ev["name"] == "stack"], "stack events although REFBLAME_STACK was bad")
    proc, _, events, _ = record({"REFBLAME_STACK": "500", "REFBLAME_STACK_WALK": "sideways"})
    check("REFBLAME_STACK=500" in proc.stderr and "64" in proc.stderr, f"no clamp message: {proc.stderr!r}")
    check("REFBLAME_STACK_WALK='sideways'" in proc.stderr, f"no message about the walk mode: {proc.stderr!r}")
    check(all(len(ev["frames"]) <= 64 for ev in events if ev["name"] == "stack"), "more than 64 frames")


def case_no_stacks_unless_asked():
    _, _, events, _ = record({})
    check(all(ev.get("stack", 0) == 0 for ev in events), "stack ids without REFBLAME_STACK")
    check(not [ev for ev in events if ev["name"] == "stack"], "stack events without REFBLAME_STACK")


if __name__ == "__main__":
    globals()["case_" + CASE]()
    print("ok", CASE)
