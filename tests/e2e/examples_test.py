#!/usr/bin/env python3
"""examples_test.py: record one example with `refblame record`, and check that `refblame blockers` ranks its
planted call site first (function and line from the PLANTED marker in the source) and counts every failed freeze."""
import json
import os
import re
import subprocess
import sys
import tempfile

from e2e_support import drop_unsure

# example -> regex over its stdout giving the number of failed freezes it saw
FAILED_FREEZES = {
    "page_pool": r"(\d+) busy",
    "object_cache": r"(\d+) attempts failed",
    "io_buffers": r"(\d+) busy",
}


def planted_site(source):
    with open(source) as f:
        for number, line in enumerate(f, 1):
            m = re.search(r"PLANTED\(([^)]+)\)", line)
            if m:
                return m.group(1), number
    sys.exit(f"{source}: no PLANTED(function) marker")


def main():
    refblame, program, source = sys.argv[1:4]
    name = os.path.basename(program)
    function, line = planted_site(source)
    with tempfile.TemporaryDirectory(prefix=f"rb-e2e-{name}-") as tmp:
        trace = os.path.join(tmp, "trace")
        rec = subprocess.run([refblame, "record", "-o", trace, "--", program],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if rec.returncode != 0:
            sys.exit(f"record exited {rec.returncode}:\n{rec.stdout}\n{rec.stderr}")
        drop_unsure(trace, rec.stderr)
        m = re.search(FAILED_FREEZES[name], rec.stdout)
        if not m:
            sys.exit(f"{name} did not print its failed freezes:\n{rec.stdout}")
        failed = int(m.group(1))
        out = subprocess.run([refblame, "blockers", trace, "--format", "json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if out.returncode != 0:
            sys.exit(f"blockers exited {out.returncode}:\n{out.stderr}")
        report = json.loads(out.stdout)
    problems = []
    if len(report["blocked"]) != failed:
        problems.append(f"{len(report['blocked'])} blocked entries, the program saw {failed} failed freezes")
    if report["lost_events"]:
        problems.append(f"{report['lost_events']} events lost")
    if not report["sites"]:
        problems.append("no blocking site ranked")
    else:
        top = report["sites"][0]
        site = top["site"]
        got_fn = site.get("function") or ""
        if not (got_fn == function or got_fn.endswith("::" + function) or function.endswith("::" + got_fn)
                or got_fn.split("(")[0] == function):
            problems.append(f"top site is {got_fn} {site.get('file')}:{site.get('line')}, planted {function}:{line}")
        if site.get("line") != line or os.path.basename(site.get("file") or "") != os.path.basename(source):
            problems.append(f"top site line {site.get('file')}:{site.get('line')}, planted {source}:{line}")
        if top["blocked"] != failed:
            problems.append(f"top site blocked {top['blocked']} freezes, expected all {failed}")
    for p in problems:
        print("FAIL", p)
    print(f"{name}: {failed} failed freezes; top site "
          f"{report['sites'][0]['site'] if report['sites'] else None}; {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
