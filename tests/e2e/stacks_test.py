#!/usr/bin/env python3
"""stacks_test.py: call stacks end to end: `refblame record --stack`, then sites named past helpers and std:: code,
stacks in JSON and text, folded output, sites by stack, the balance view, --wrapper, trace size.

Usage: stacks_test.py REFBLAME HELPER_LEAK helper_leak.c CACHE_FILL_O0 CACHE_FILL_O2 cache_fill.cpp CASE
Expected functions and lines come from the LEAK/HELPER/CALLS markers of the sources.
"""
import os
import re
import sys

import e2e_support as e2e
from e2e_support import Fail, check

REFBLAME, HELPER, HELPER_SRC, CACHE_O0, CACHE_O2, CACHE_SRC = sys.argv[1:7]
LEAK = e2e.markers(HELPER_SRC, "LEAK")["start_retry"]
IN_HELPER = e2e.markers(HELPER_SRC, "HELPER")["conn_ref"]
CALLS_RETRY = e2e.markers(HELPER_SRC, "CALLS")["start_retry"]
FILL = e2e.markers(CACHE_SRC, "LEAK")["fill"]
# Rounds of helper_leak: every other one leaks a retry reference. Enough for
# the pairing to learn which put undoes which get from the rounds that leave
# no choice; stacks give it distinct sites to learn from.
ROUNDS = 40
LEAKED = ROUNDS // 2


def record(tmp, name, program, *args, stack=None, buffer_size=None):
    trace = os.path.join(tmp, name)
    argv = [REFBLAME, "record", "-o", trace]
    if stack is not None:
        argv += ["--stack", str(stack)]
    if buffer_size:
        argv += ["--buffer-size", buffer_size]
    env = {k: v for k, v in os.environ.items() if k != "REFBLAME_STACK"}  # the recorder's default, not the caller's
    r = e2e.run(argv + ["--", program, *args], timeout=120, env=env)
    check(r.rc == 0, f"record {program} exited {r.rc}:\n{r.stderr[-3000:]}")
    e2e.drop_unsure(trace, r.stderr)
    return trace


def site_is(site, function, source, line):
    return (e2e.function_is(site, function) and site.get("line") == line
            and os.path.basename(site.get("file") or "") == os.path.basename(source))


def where(site):
    return f"{site.get('function')} {site.get('file')}:{site.get('line')}"


def top_leak_site(trace, *args):
    report = e2e.query(REFBLAME, "leaks", trace, *args)
    check(report["sites"], "leaks found no leaking site")
    return report, report["sites"][0]


def case_with_stacks_the_helpers_leaking_caller_is_named(tmp):
    trace = record(tmp, "t", HELPER, str(ROUNDS), stack=8)
    report, top = top_leak_site(trace)
    check(site_is(top["site"], "start_retry", HELPER_SRC, LEAK),
          f"top leak site is {where(top['site'])}, expected start_retry line {LEAK}")
    check(top["refs"] == LEAKED and len(report["sites"]) == 1, f"leak sites: {report['sites']}")
    holders = [h for o in report["objects"] for h in o["holders"]]
    check(holders and all("stack" in h for h in holders), "holders carry no stack although stacks were recorded")
    stack = holders[0]["stack"]
    check(site_is(stack[0], "conn_ref", HELPER_SRC, IN_HELPER), f"stack[0] (the caller) is {where(stack[0])}")
    check(site_is(stack[1], "start_retry", HELPER_SRC, LEAK), f"stack[1] is {where(stack[1])}")
    check(any(site_is(s, "main", HELPER_SRC, CALLS_RETRY) for s in stack[2:]), "main's call is not in the stack")
    text = e2e.text_query(REFBLAME, "leaks", trace)
    check(re.search(rf"start_retry\s+\S*helper_leak\.c:{LEAK}", text), f"text does not name start_retry:\n{text}")
    check("stack: conn_ref" in text, f"text shows no stack for the top holders:\n{text}")
    check("wrappers" in text and "conn_ref" in text, f"text does not say conn_ref was taken for a wrapper:\n{text}")


def case_without_stacks_the_helper_is_named_and_stacks_suggested(tmp):
    trace = record(tmp, "t", HELPER, str(ROUNDS), stack=0)
    _, top = top_leak_site(trace)
    check(site_is(top["site"], "conn_ref", HELPER_SRC, IN_HELPER), f"top leak site is {where(top['site'])}")
    check(top["site"].get("maybe_helper") is True, f"no helper hint on {top['site']}")
    text = e2e.text_query(REFBLAME, "leaks", trace)
    check(re.search(r"conn_ref\s.*record with --stack", text), f"text does not suggest --stack:\n{text}")


def case_explicit_wrapper_names_the_callers_caller(tmp):
    trace = record(tmp, "t", HELPER, str(ROUNDS), stack=8)
    _, top = top_leak_site(trace, "--wrapper", "start_*")
    check(site_is(top["site"], "main", HELPER_SRC, CALLS_RETRY),
          f"with --wrapper 'start_*' the top leak site is {where(top['site'])}, expected main line {CALLS_RETRY}")


def cache_fill_case(tmp, program):
    trace = record(tmp, "t", program)  # the default recording: no --stack
    report, top = top_leak_site(trace)
    check(site_is(top["site"], "Cache::fill", CACHE_SRC, FILL) and top["site"]["function"] == "Cache::fill",
          f"top leak site is {where(top['site'])}, expected Cache::fill line {FILL}")
    check(top["refs"] == 5 and len(report["sites"]) == 1, f"leak sites: {report['sites']}")
    check(not top["site"].get("in_library_code"), "site still marked as library code")


def case_default_recording_names_cache_fill_at_O0(tmp):
    cache_fill_case(tmp, CACHE_O0)


def case_default_recording_names_cache_fill_at_O2(tmp):
    cache_fill_case(tmp, CACHE_O2)


def case_folded_leaks_end_at_the_helper_under_its_caller(tmp):
    trace = record(tmp, "t", HELPER, str(ROUNDS), stack=8)
    r = e2e.run([REFBLAME, "leaks", trace, "--format", "folded"])
    check(r.rc == 0, f"leaks --format folded exited {r.rc}: {r.stderr}")
    lines = r.stdout.splitlines()
    check(lines and all(re.fullmatch(r"[^ ;][^;]*(;[^;]+)* \d+", l) for l in lines), f"not folded stacks:\n{r.stdout}")
    check(any(re.search(rf";main;start_retry;conn_ref {LEAKED}$", l) for l in lines), f"no ...;main;start_retry;conn_ref {LEAKED}:\n"
          f"{r.stdout}")
    r = e2e.run([REFBLAME, "blockers", trace, "--format", "folded"])
    check(r.rc == 0 and r.stdout == "", f"blockers --format folded of a trace without freezes: {r.rc} {r.stdout!r}")
    r = e2e.run([REFBLAME, "sites", trace, "--format", "folded"])
    check(r.rc == 2 and "--format" in r.stderr, f"sites --format folded: exit {r.rc}, {r.stderr!r}")


def case_sites_by_stack_separate_the_helpers_callers(tmp):
    trace = record(tmp, "t", HELPER, str(ROUNDS), stack=8)
    report = e2e.query(REFBLAME, "sites", trace, "--by", "stack")
    outstanding = {}
    for row in report["sites"]:
        check("stack" in row, f"row without stack: {row['site']}")
        callers = [s.get("function") for s in row["stack"][1:3]]
        outstanding[tuple(callers)] = outstanding.get(tuple(callers), 0) + row["outstanding"]
    got = {c: n for c, n in outstanding.items() if n}
    check(got == {("start_retry", "main"): LEAKED}, f"outstanding refs by stack: {got}")
    check(len(report["sites"]) >= 4, f"{len(report['sites'])} rows: the three callers' stacks were merged")
    r = e2e.run([REFBLAME, "sites", trace, "--by", "function"])
    check(r.rc == 2 and "--by" in r.stderr, f"--by function: exit {r.rc}, {r.stderr!r}")


def case_balance_shows_only_the_unbalanced_subtree(tmp):
    trace = record(tmp, "t", HELPER, str(ROUNDS), stack=8)
    report = e2e.query(REFBLAME, "balance", trace)
    check(report["balance"] == LEAKED, f"balance {report['balance']}, expected +{LEAKED} (the leaked retries)")

    def paths(nodes, prefix=()):
        for n in nodes:
            here = prefix + (n["frame"].get("function"),)
            yield here, n
            yield from paths(n["children"], here)

    nodes = list(paths(report["tree"]))
    check(all(n["balance"] != 0 for _, n in nodes), "a balanced subtree is shown")
    names = {f for path, _ in nodes for f in path}
    check("log_request" not in names and "send_reply" not in names, f"balanced callers shown: {names}")
    leaf = [n for path, n in nodes if path[-2:] == ("start_retry", "conn_ref")]
    check(leaf and leaf[0]["balance"] == LEAKED and leaf[0]["released"] == 0,
          f"no +{LEAKED} start_retry;conn_ref leaf: {nodes}")
    text = e2e.text_query(REFBLAME, "balance", trace)
    check(re.search(rf"\+{LEAKED}\s+start_retry\s", text), f"text balance does not show +{LEAKED} at start_retry:\n{text}")


def stream_bytes(trace):
    total = 0
    for d, _, files in os.walk(trace):
        if "metadata" in files:
            total += sum(os.path.getsize(os.path.join(d, f)) for f in files
                         if f != "metadata" and not f.endswith(".idx"))
    return total


def case_trace_with_stacks_is_at_most_1_5x_the_size_without(tmp):
    # 40 000 rounds, ~220 000 ops from a handful of call stacks: each stack is written once.
    sizes = {}
    for stack in (0, 8):
        trace = record(tmp, f"t{stack}", HELPER, "40000", stack=stack, buffer_size="256K")
        sizes[stack] = stream_bytes(trace)
    ratio = sizes[8] / sizes[0]
    print(f"stream bytes: {sizes[0]} without stacks, {sizes[8]} with --stack 8 (x{ratio:.3f})")
    check(ratio <= 1.5, f"the trace with stacks is {ratio:.2f}x the trace without: stacks are not deduplicated")


if __name__ == "__main__":
    e2e.main(globals(), 7)
