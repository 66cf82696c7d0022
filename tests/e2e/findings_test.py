#!/usr/bin/env python3
"""findings_test.py: bugs of a recorded program (underflow, get on a frozen object, free with refs held, double free)
come out of `refblame leaks` and `refblame stats` as findings with their site (function and line of its BUG marker).

Usage: findings_test.py REFBLAME PROGRAM SOURCE CASE
"""
import os
import re
import sys

from e2e_support import check, drop_unsure, function_is, main, markers, query, run, text_query

REFBLAME, PROGRAM, SOURCE = sys.argv[1:4]
# BUG(kind) marker -> the function it sits in
FUNCTIONS = {"underflow": "drop_unowned", "get_on_frozen": "touch_frozen", "freed_with_refs": "free_in_use",
             "double_free": "free_twice"}


def recorded(tmp):
    trace = os.path.join(tmp, "trace")
    rec = run([REFBLAME, "record", "-o", trace, "--", PROGRAM])
    check(rec.rc == 0, f"record exited {rec.rc}:\n{rec.stderr}")
    drop_unsure(trace, rec.stderr)
    m = re.search(r"under=(0x[0-9a-f]+) frozen=(0x[0-9a-f]+) freed=(0x[0-9a-f]+) twice=(0x[0-9a-f]+) "
                  r"holder=(0x[0-9a-f]+)", rec.stdout)
    check(m, f"program output: {rec.stdout}")
    objects = dict(zip(["underflow", "get_on_frozen", "freed_with_refs", "double_free"], m.groups()[:4]))
    return trace, objects, m.group(5)


def check_findings(findings, objects, where):
    bugs = markers(SOURCE, "BUG")
    kinds = sorted(f["kind"] for f in findings)
    check(kinds == sorted(FUNCTIONS), f"{where}: findings {kinds}, expected one of each of {sorted(FUNCTIONS)}")
    times = [f["time_ns"] for f in findings]
    check(times == sorted(times) and all(t > 0 for t in times), f"{where}: finding times {times}")
    for f in findings:
        kind, site = f["kind"], f["site"]
        check(function_is(site, FUNCTIONS[kind]), f"{where}: {kind} at function {site.get('function')}, "
              f"expected {FUNCTIONS[kind]}")
        check(site.get("line") == bugs[kind] and os.path.basename(site.get("file") or "") == "program_bugs.c",
              f"{where}: {kind} at {site.get('file')}:{site.get('line')}, marker at line {bugs[kind]}")
        check(f["object"] == objects[kind], f"{where}: {kind} on object {f['object']}, expected {objects[kind]}")


def case_leaks_and_stats_report_each_bug_with_its_site(tmp):
    trace, objects, holder = recorded(tmp)
    leaks = query(REFBLAME, "leaks", trace)
    check_findings(leaks["findings"], objects, "leaks --format json")
    underflow = next(f for f in leaks["findings"] if f["kind"] == "underflow")
    check(underflow["count"] == -1, f"underflow finding has count {underflow['count']}, expected -1")
    double = next(f for f in leaks["findings"] if f["kind"] == "double_free")
    check(double["event"] == "obj_free", f"double free finding is on event {double['event']}")

    stats = query(REFBLAME, "stats", trace)
    check_findings(stats["findings"], objects, "stats --format json")
    check(stats["findings_total"] == 4, f"stats counts {stats['findings_total']} findings, expected 4")

    # The object freed while held is also a leak, its holder named exactly at the get's line.
    freed = [o for o in leaks["objects"] if o["object"] == objects["freed_with_refs"]]
    check(len(freed) == 1 and freed[0]["freed"], f"freed-while-held object in leaks: {freed}")
    tracked = [h for h in freed[0]["holders"] if h["holder"] == holder]
    line = markers(SOURCE, "SITE")["in_use_get"]
    check(len(tracked) == 1 and tracked[0]["confidence"] == "exact" and tracked[0]["site"]["line"] == line,
          f"holders of the freed object: {freed[0]['holders']}; expected {holder} exact at line {line}")


def case_text_lists_the_bugs_in_their_own_section(tmp):
    trace, objects, _ = recorded(tmp)
    bugs = markers(SOURCE, "BUG")
    for command in ("leaks", "stats"):
        out = text_query(REFBLAME, command, trace)
        check("Program bugs found: 4" in out, f"{command} text has no bug section:\n{out}")
        section = out[out.index("Program bugs found"):]
        for kind, fn in FUNCTIONS.items():
            check(re.search(rf"^  {kind} .*{objects[kind]}.*\n\s+at {fn}\s+\S*program_bugs\.c:{bugs[kind]}\b",
                            section, re.M),
                  f"{command} text does not list {kind} at {fn} program_bugs.c:{bugs[kind]}:\n{section}")


if __name__ == "__main__":
    main(globals(), 4)
