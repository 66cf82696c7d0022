#!/usr/bin/env python3
"""loss_test.py: lost events end to end. `refblame record --allow-loss --buffer-size 64K` on 8 churning threads
discards events; `refblame blockers/leaks/stats` must then say how many were lost and where, mark every answer they
could have changed as uncertain (never "exact"), and give every answer it does not mark uncertain exactly as the
program says it was: quiet objects before and after the churn, and in a quiet child process, keep their full answer.

Usage: loss_test.py REFBLAME PROGRAM SOURCE CASE
The case record_the_shared_recording records PROGRAM into $REFBLAME_E2E_RECORDING; the others read it.
"""
import collections
import os
import re
import shutil
import sys

from e2e_support import check, drop_unsure, main, markers, query, run, text_query

REFBLAME, PROGRAM, SOURCE = sys.argv[1:4]
ITERATIONS = "20000"


class Truth:
    """What the program says: every failed freeze's open refs, every leak, every object released cleanly."""

    def __init__(self, stdout):
        sites = markers(SOURCE, "SITE")
        self.freezes, self.leaks, self.released, self.phase = {}, {}, set(), {}
        for line in stdout.splitlines():
            word = line.split()
            if not word:
                continue
            if word[0] == "FREEZE":  # keyed by its tag: a holder only that freeze's refs have
                pid, obj, tag, phase = int(word[1]), word[2], word[3], word[4]
                self.freezes[tag] = (pid, obj, phase, self.refs(word[5:], sites))
                self.phase[(pid, obj)] = phase
            elif word[0] == "LEAK":
                self.leaks[(int(word[1]), word[2])] = (word[3], self.refs(word[4:], sites))
                self.phase[(int(word[1]), word[2])] = word[3]
            elif word[0] == "RELEASED":
                self.released.add((int(word[1]), word[2]))
        check(self.freezes and self.leaks, f"program printed no truth:\n{stdout[:2000]}")

    @staticmethod
    def refs(words, sites):
        """Counter of (line, holder) over the open references."""
        out = collections.Counter()
        for w in words:
            name, holder = w.split(":")
            out[(sites[name], None if holder in ("0", "(nil)") else holder)] += 1
        return out


def answered(holders):
    return collections.Counter({(h["site"]["line"], h["holder"]): 0 for h in holders}) + collections.Counter(
        {(h["site"]["line"], h["holder"]): h["refs"] for h in holders})


def check_entry(what, entry, truth_refs):
    """An uncertain entry: every holder uncertain, none exact. A certain one: exactly the truth, tracked refs exact."""
    if entry.get("uncertain"):
        for h in entry["holders"]:
            check(h.get("uncertain") is True, f"{what}: uncertain entry with a holder not marked uncertain: {h}")
            check(h["confidence"] != "exact", f"{what}: holder of an uncertain object labelled exact: {h}")
        return "uncertain"
    got = answered(entry["holders"])
    check(got == truth_refs, f"{what}: not marked uncertain, but its holders {dict(got)} are not the program's "
                             f"{dict(truth_refs)} (a confident wrong answer)")
    for h in entry["holders"]:
        check(h["confidence"] == "exact" or h["holder"] is None, f"{what}: tracked holder not exact: {h}")
    return "certain"


# The lossy recording both cases read: made once by the `record_the_shared_recording` case (the ctest fixture
# the others require, the one that needs the session daemon and the lock), with the program's output beside it.
RECORDING = os.environ.get("REFBLAME_E2E_RECORDING", "")


def case_record_the_shared_recording(tmp):
    check(RECORDING, "REFBLAME_E2E_RECORDING (where the shared recording goes) is not set")
    shutil.rmtree(RECORDING, ignore_errors=True)
    trace = os.path.join(RECORDING, "trace")
    rec = run([REFBLAME, "record", "--allow-loss", "--buffer-size", "64K", "-o", trace, "--", PROGRAM, ITERATIONS])
    check(rec.rc == 0, f"record exited {rec.rc}:\n{rec.stderr}")
    drop_unsure(trace, rec.stderr)
    discarded = int(next(l.split(":")[1] for l in rec.stderr.splitlines() if "discarded events:" in l))
    check(discarded > 0, f"nothing was discarded: the test needs a smaller --buffer-size:\n{rec.stderr}")
    Truth(rec.stdout)  # checks that the program printed its truth: a fixture without it fails here, not in every case
    with open(os.path.join(RECORDING, "program.out"), "w") as f:
        f.write(rec.stdout)


def recorded(tmp):
    """The shared recording (only read) and what its program said."""
    out = os.path.join(RECORDING, "program.out")
    check(RECORDING and os.path.isfile(out),
          f"no shared recording at {RECORDING!r}: run the case record_the_shared_recording first (ctest does)")
    with open(out) as f:
        return os.path.join(RECORDING, "trace"), Truth(f.read())


def case_json_marks_what_the_loss_touched_and_keeps_the_rest(tmp):
    trace, truth = recorded(tmp)
    parent = next(pid for pid, _, phase, _ in truth.freezes.values() if phase == "stress")

    blockers = query(REFBLAME, "blockers", trace)
    check(blockers["lost_events"] > 0, f"blockers reports {blockers['lost_events']} lost events")
    losses = blockers.get("losses", [])
    check(losses and all(l["pid"] == parent and 0 < l["begin_ns"] <= l["end_ns"] for l in losses),
          f"losses do not say where (the churning process {parent} and a time range): {losses[:5]}")
    outcome = collections.Counter()
    for b in blockers["blocked"]:
        key = (b["pid"], b["object"])
        check(key in truth.phase and b["expected"] == 1, f"a failed freeze the program never made: {key}")
        phase = truth.phase[key]
        if b.get("uncertain"):
            outcome[(phase, check_entry(f"blocked {key} ({phase})", b, None))] += 1
            continue
        tags = [h["holder"] for h in b["holders"] if h["holder"] in truth.freezes]
        check(len(tags) == 1, f"blocked {key} at {b['time_ns']} ({phase}) is not marked uncertain, but its holders "
                              f"{b['holders']} do not name one freeze of the program (tags {tags})")
        pid, obj, _, refs = truth.freezes[tags[0]]
        check((pid, obj) == key, f"blocked {key} holds the tag of a freeze of {(pid, obj)}")
        outcome[(phase, check_entry(f"blocked {key} at {b['time_ns']} ({phase})", b, refs))] += 1
    for phase in ("before", "after", "child"):
        made = sum(1 for _, _, p, _ in truth.freezes.values() if p == phase)
        check(outcome[(phase, "certain")] == made,
              f"{phase}: {outcome[(phase, 'certain')]} of the {made} failed freezes kept their full answer: "
              f"quiet objects untouched by the loss must ({dict(outcome)})")
    check(outcome[("stress", "uncertain")] > 0, f"no churned object was marked uncertain: {dict(outcome)}")
    check(any(s.get("uncertain") for s in blockers["sites"]), "no blocking site is marked uncertain")

    leaks = query(REFBLAME, "leaks", trace)
    check(leaks["lost_events"] == blockers["lost_events"], "leaks and blockers disagree on lost events")
    leaked = {(o["pid"], o["object"]): o for o in leaks["objects"]}
    for key, (phase, refs) in truth.leaks.items():
        check(key in leaked, f"{phase} leak {key} not reported")
        check(check_entry(f"leak {key} ({phase})", leaked[key], refs) == "certain",
              f"{phase} leak {key} marked uncertain though no event of its process was lost around it")
    for key, o in leaked.items():
        if key in truth.released:
            check(o.get("uncertain"), f"object {key} was released cleanly, yet reported leaked without uncertainty")

    stats = query(REFBLAME, "stats", trace)
    check(stats["lost_events"] == blockers["lost_events"] and stats["uncertain_objects"] > 0,
          f"stats: lost {stats['lost_events']}, uncertain objects {stats['uncertain_objects']}")
    print(f"blocked entries by (phase, answer): {dict(outcome)}; lost {stats['lost_events']} events "
          f"in {len(losses)} loss records; {stats['uncertain_objects']} uncertain objects")


def case_text_shows_the_loss_and_marks_uncertain_entries(tmp):
    trace, truth = recorded(tmp)
    for command in ("blockers", "leaks", "stats"):
        out = text_query(REFBLAME, command, trace)
        check("WARNING: the tracer lost events" in out and "lost in " in out and "loss record" in out,
              f"{command} text does not warn about the loss and where:\n{out[:3000]}")
        check(len(out.splitlines()) < 400, f"{command} text is {len(out.splitlines())} lines: losses not summarized")
    out = text_query(REFBLAME, "blockers", trace)
    ranking = out[out.index("Who blocked them"):out.index("Failed freezes:")]
    check("[uncertain]" in ranking, f"no blocking site marked uncertain in text:\n{ranking}")
    for line in ranking.splitlines():
        if "[uncertain]" in line:
            check(" exact " not in line, f"an uncertain site row says exact: {line}")
    # One object JSON calls uncertain, asked about by itself: its text marks it and every holder row.
    blocked = query(REFBLAME, "blockers", trace)["blocked"]
    b = next((b for b in blocked if b.get("uncertain") and b["holders"]), None)
    check(b, "no uncertain failed freeze to look at")
    out = text_query(REFBLAME, "holders", trace, "--object", b["object"], "--pid", str(b["pid"]), "--at",
                     str(b["time_ns"]))
    check("[uncertain: events lost on this object]" in out, f"holders text does not mark the object:\n{out}")
    rows = [l for l in out.splitlines() if re.match(r"\s+\d+\s+(exact|inferred|guess)\s", l)]
    check(rows and all("[uncertain]" in l and " exact " not in l for l in rows),
          f"holder rows of an uncertain object must all be marked and none exact:\n{out}")


if __name__ == "__main__":
    main(globals(), 4)
