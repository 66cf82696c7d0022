#!/usr/bin/env python3
"""symbols_test.py: sites in a real recorded trace resolve to function and line in an executable, a shared library
and a dlopen'd plugin; a stripped binary through --debug-dir; a deleted binary gives module+offset and a warning.

Usage: symbols_test.py REFBLAME LEAKY_MAIN PLUGIN SOURCE_DIR CASE
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from e2e_support import drop_unsure

REFBLAME, MAIN, PLUGIN, SRC, CASE = sys.argv[1:6]


def check(cond, message):
    if not cond:
        sys.exit("FAIL: " + message)


def markers():
    """function -> (file basename, line) from the LEAK(function) markers of the target sources."""
    out = {}
    for name in ("leaky_main.c", "leaky_lib.c", "leaky_plugin.c"):
        with open(os.path.join(SRC, name)) as f:
            for number, line in enumerate(f, 1):
                m = re.search(r"LEAK\((\w+)\)", line)
                if m:
                    out[m.group(1)] = (name, number)
    return out


def record(program, trace, *options):
    env = dict(os.environ)
    # A sanitized build's program refuses a preloaded library before the ASan runtime.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    p = subprocess.run([REFBLAME, "record", *options, "-o", trace, "--", program, PLUGIN],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120, env=env)
    check(p.returncode == 0, f"record exited {p.returncode}: {p.stderr}")
    drop_unsure(trace, p.stderr)


def leaks(trace, *extra):
    p = subprocess.run([REFBLAME, "leaks", trace, "--format", "json", *extra],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    check(p.returncode == 0, f"leaks exited {p.returncode}: {p.stderr}")
    return json.loads(p.stdout)


def site_of(report, function):
    for row in report["sites"]:
        if row["site"].get("function") == function:
            return row["site"]
    return None


def expect_named(report, function):
    want_file, want_line = markers()[function]
    site = site_of(report, function)
    check(site is not None, f"no leak site named {function}: {[r['site'] for r in report['sites']]}")
    check(os.path.basename(site["file"]) == want_file and site["line"] == want_line,
          f"{function} at {site['file']}:{site['line']}, marker at {want_file}:{want_line}")


def build_id(path):
    out = subprocess.run(["readelf", "-n", path], stdout=subprocess.PIPE, text=True, check=True).stdout
    return re.search(r"Build ID: ([0-9a-f]+)", out).group(1)


def case_names_sites_in_executable_library_and_plugin(tmp):
    trace = os.path.join(tmp, "trace")
    record(MAIN, trace)
    report = leaks(trace)
    for function in ("main_take", "lib_take"):
        expect_named(report, function)


def case_dlopened_plugin_is_named_with_track_dlopen(tmp):
    trace = os.path.join(tmp, "trace")
    record(MAIN, trace, "--track-dlopen")
    expect_named(leaks(trace), "plugin_take")


def case_dlopened_plugin_without_tracking_is_not_misnamed(tmp):
    trace = os.path.join(tmp, "trace")
    record(MAIN, trace)
    report = leaks(trace)
    unknown = [r["site"] for r in report["sites"] if r["site"].get("module") is None]
    check(unknown and all(s["function"] is None for s in unknown),
          f"the plugin's site should be unresolved, not named: {[r['site'] for r in report['sites']]}")
    check(any("--track-dlopen" in w for w in report["symbol_warnings"]),
          f"no warning says how to symbolize dlopen'd libraries: {report['symbol_warnings']}")


def copy_main(tmp):
    os.makedirs(os.path.join(tmp, "bin"))
    copy = os.path.join(tmp, "bin", "leaky")
    shutil.copy2(MAIN, copy)
    return copy


def case_stripped_binary_resolves_through_debug_dir(tmp):
    copy = copy_main(tmp)
    bid = build_id(copy)
    root = os.path.join(tmp, "debugroot")
    debug = os.path.join(root, ".build-id", bid[:2], bid[2:] + ".debug")
    os.makedirs(os.path.dirname(debug))
    subprocess.run(["objcopy", "--only-keep-debug", copy, debug], check=True)
    subprocess.run(["strip", "--strip-all", copy], check=True)
    trace = os.path.join(tmp, "trace")
    record(copy, trace)
    bare = leaks(trace)
    check(site_of(bare, "main_take") is None, "a stripped binary resolved without its debug info")
    check(any("leaky" in w for w in bare["symbol_warnings"]),
          f"no warning names the stripped module: {bare['symbol_warnings']}")
    expect_named(leaks(trace, "--debug-dir", root), "main_take")


def case_deleted_binary_gives_module_offset_and_warning(tmp):
    copy = copy_main(tmp)
    trace = os.path.join(tmp, "trace")
    record(copy, trace)
    os.unlink(copy)
    report = leaks(trace)  # exit 0 checked in leaks()
    rows = [r["site"] for r in report["sites"] if r["site"].get("module") == copy]
    check(rows, f"no site in the deleted module {copy}: {[r['site'] for r in report['sites']]}")
    check(all(s["function"] is None and s.get("offset") for s in rows), f"deleted binary resolved: {rows}")
    check(any(copy in w for w in report["symbol_warnings"]), f"no warning names {copy}: {report['symbol_warnings']}")
    expect_named(report, "lib_take")  # the library is still there


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="rb-symbols-") as tmp:
        globals()["case_" + CASE](tmp)
    print("ok", CASE)
