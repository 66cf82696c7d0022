#!/usr/bin/env python3
"""attribution_test.py: record truth_pool (which writes who truly held each reference at every failed freeze) and
score `refblame blockers` against it: precision of the holders labelled exact/inferred, recall, the planted top site.

usage: attribution_test.py REFBLAME TRUTH_POOL SOURCE CASE
cases: default_stacks (record as a user would: 8-frame stacks), no_stacks (record --stack 0),
       pages_never_freed (every life still open at the end: no whole-life balance to match sites with)
"""
import collections
import os
import sys
import tempfile

from e2e_support import Fail, check, drop_unsure, markers, query, run

# Share of the refs labelled exact/inferred that the program confirms, and share of the true refs reported at
# the right function (any label), per case. Measured (the completion thread's timing varies run to run, and
# more on a loaded machine): see the issue notes; these are the floors a change must not go below.
THRESHOLDS = {
    "default_stacks": (0.99, 0.95),
    "no_stacks": (0.99, 0.95),
    # Only the learned hold times and threads tell a readahead completion from an unmap here: on a loaded
    # machine some readahead/map pairs are confused, a few labelled inferred.
    "pages_never_freed": (0.97, 0.93),
}


def read_truth(path):
    """[(object, count, Counter{function: refs})] in the order the freezes failed."""
    out = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words or words[0] != "freeze":
                continue
            held = collections.Counter()
            for w in words[3:]:
                fn, refs = w.split("=")
                held[fn] += int(refs)
            out.append((int(words[1], 16), int(words[2]), held))
    return out


def score(report, truth):
    """Matches each failed freeze of the report to the program's record of it (per object, in time order)."""
    by_object = collections.defaultdict(list)
    for obj, count, held in truth:
        by_object[obj].append((count, held))
    blocked = collections.defaultdict(list)
    for b in report["blocked"]:
        blocked[int(b["object"], 16)].append(b)
    problems = []
    true_refs = found = 0
    labelled = collections.Counter()  # confidence -> refs
    labelled_right = collections.Counter()
    for obj, moments in by_object.items():
        entries = sorted(blocked.get(obj, []), key=lambda b: b["time_ns"])
        if len(entries) != len(moments):
            problems.append(f"object {obj:#x}: {len(entries)} blocked entries, the program saw {len(moments)}")
            continue
        for entry, (count, held) in zip(entries, moments):
            true_refs += sum(held.values())
            if entry["count"] != count:
                problems.append(f"object {obj:#x} at {entry['time_ns']}: count {entry['count']}, program saw {count}")
            left = collections.Counter(held)
            for h in entry["holders"]:
                fn = h["site"].get("function") or "?"
                right = min(h["refs"], left[fn])
                left[fn] -= right
                found += right
                labelled[h["confidence"]] += h["refs"]
                labelled_right[h["confidence"]] += right
    extra = set(blocked) - set(by_object)
    if extra:
        problems.append(f"{len(extra)} objects reported blocked that the program never saw fail")
    sure = labelled["exact"] + labelled["inferred"]
    precision = (labelled_right["exact"] + labelled_right["inferred"]) / sure if sure else 1.0
    recall = found / true_refs if true_refs else 1.0
    return problems, precision, recall, labelled, labelled_right, true_refs


def main():
    refblame, program, source, case = sys.argv[1:5]
    stack_args = {"default_stacks": [], "no_stacks": ["--stack", "0"], "pages_never_freed": []}[case]
    keep = ["6", "keep"] if case == "pages_never_freed" else []
    min_precision, min_recall = THRESHOLDS[case]
    planted = markers(source, "PLANTED")["dma_submit"]
    with tempfile.TemporaryDirectory(prefix=f"rb-e2e-attribution-{case}-") as tmp:
        trace, truth_path = os.path.join(tmp, "trace"), os.path.join(tmp, "truth.txt")
        rec = run([refblame, "record", "-o", trace, *stack_args, "--", program, truth_path, *keep])
        check(rec.rc == 0, f"record exited {rec.rc}:\n{rec.stdout}\n{rec.stderr}")
        drop_unsure(trace, rec.stderr)
        truth = read_truth(truth_path)
        check(len(truth) > 50, f"the program saw only {len(truth)} failed freezes:\n{rec.stdout}")
        report = query(refblame, "blockers", trace)
    check(report["lost_events"] == 0, f"{report['lost_events']} events lost: the score would mean nothing")
    problems, precision, recall, labelled, right, true_refs = score(report, truth)
    print(f"{case}: {len(truth)} failed freezes, {true_refs} true refs; recall {recall:.4f}; "
          f"exact/inferred precision {precision:.4f}; by label (right/reported): "
          + ", ".join(f"{k} {right[k]}/{v}" for k, v in sorted(labelled.items())))
    if precision < min_precision:
        problems.append(f"exact/inferred precision {precision:.4f} < {min_precision}")
    if recall < min_recall:
        problems.append(f"recall {recall:.4f} < {min_recall}")
    top = report["sites"][0]["site"] if report["sites"] else {}
    if top.get("function") != "dma_submit" or top.get("line") != planted:
        problems.append(f"top blocking site {top.get('function')}:{top.get('line')}, planted dma_submit:{planted}")
    for p in problems[:20]:
        print("FAIL", p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    try:
        main()
    except Fail as e:
        print("FAIL", e)
        sys.exit(1)
