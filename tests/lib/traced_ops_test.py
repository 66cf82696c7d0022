#!/usr/bin/env python3
"""traced_ops_test.py: every op of a real program, recorded through a real session daemon, shows up with the right fields and caller."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import lttng_trace  # noqa: E402


def unqualified(name):
    return name.split("(")[0].split("::")[-1]


def main():
    program, header_dir = sys.argv[1], os.path.abspath(sys.argv[2])
    skip = [header_dir + "/", "/usr/include/"]
    with tempfile.TemporaryDirectory(prefix="rb-lib-e2e-") as tmp:
        out = os.path.join(tmp, "trace")
        proc = lttng_trace.record([program], out)
        if proc.returncode != 0:
            sys.exit(f"{program} exited {proc.returncode}: {proc.stderr}")
        bias = int(re.search(r"^BIAS (0x[0-9a-f]+)$", proc.stdout, re.M).group(1), 16)
        expected = []
        for line in proc.stdout.splitlines():
            if line.startswith("EXPECT "):
                name, *fields = line.split()[1:]
                exp = dict(f.split("=", 1) for f in fields)
                expected.append((name, exp))
        got = lttng_trace.events(out, vpid=proc.pid)
    failures = []
    if len(got) != len(expected):
        failures.append(f"trace has {len(got)} refblame events, program performed {len(expected)}")
    for i, ((name, exp), ev) in enumerate(zip(expected, got)):
        where = f"event {i} ({name}, {exp['func']}:{exp['line']})"
        if ev["name"] != name:
            failures.append(f"{where}: event name {ev['name']}")
            continue
        if name in ("ref_get", "ref_put") and "val" in ev:
            failures.append(f"{where}: tracked events carry no val (implied +1/-1)")
        ev.setdefault("val", {"ref_get": 1, "ref_put": -1}.get(name))
        for field in ("obj", "count", "val", "holder"):
            want = int(exp[field], 0)
            if field == "holder" and "holder" not in ev:
                if want != 0:
                    failures.append(f"{where}: no holder field, expected {hex(want)}")
                continue
            if ev.get(field) != want:
                failures.append(f"{where}: {field} = {ev.get(field)}, expected {want}")
        want_ret = int(exp["ret"])
        if want_ret >= 0 and ev.get("ret") != want_ret:
            failures.append(f"{where}: ret = {ev.get('ret')}, expected {want_ret}")
        if ev.get("vpid") is None or ev.get("vtid") is None:
            failures.append(f"{where}: vpid/vtid contexts missing")
        if ev.get("stack") != 0:
            failures.append(f"{where}: stack = {ev.get('stack')}, expected 0 (no stack recorded)")
        if exp["func"] == "-":
            continue
        frame = lttng_trace.source_frame(program, ev["caller"] - bias, skip)
        if frame is None:
            failures.append(f"{where}: caller {hex(ev['caller'])} does not resolve")
            continue
        func, path, line = frame
        # addr2line names an inlined frame by its DW_AT_name alone (no class):
        # compare the unqualified names.
        if unqualified(func) != unqualified(exp["func"]) or line != int(exp["line"]):
            failures.append(f"{where}: caller resolves to {func} {path}:{line}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(expected)} ops checked, {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
