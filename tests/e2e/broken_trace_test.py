#!/usr/bin/env python3
"""broken_trace_test.py: the refblame CLI on broken copies of a real recording (a cut stream, corrupt or cut metadata,
an empty directory, a directory without CTF, CTF without refblame events, refblame events lacking a field): exit 2 with
one message naming the file and the problem, or a partial answer that says what was skipped; never a crash or a hang.

Usage: broken_trace_test.py REFBLAME PROGRAM SOURCE CASE   (PROGRAM: loss_stress, recorded in blocking mode)
The case record_the_shared_recording records PROGRAM into $REFBLAME_E2E_RECORDING; the others damage copies of it.
"""
import glob
import os
import shutil
import sys

from e2e_support import check, drop_unsure, main, run

REFBLAME, PROGRAM, SOURCE = sys.argv[1:4]
QUERIES = ("blockers", "leaks", "stats")


# The good recording every case damages a copy of: made once by the `record_the_shared_recording` case (the
# ctest fixture that the other cases require), so that only it needs the session daemon and the lock.
RECORDING = os.environ.get("REFBLAME_E2E_RECORDING", "")


def traces_of(trace):
    """(parent, child): the per-PID traces of the program's 2 processes, the churning parent (most events) first."""
    traces = sorted(os.path.dirname(m) for m in glob.glob(os.path.join(trace, "ust", "pid", "*", "metadata")))
    check(len(traces) == 2, f"expected the program's 2 processes to have a trace each: {traces}")
    parent = max(traces, key=lambda d: sum(os.path.getsize(f) for f in glob.glob(os.path.join(d, "refblame_*"))))
    return parent, [d for d in traces if d != parent][0]


def case_record_the_shared_recording(tmp):
    """A good recording: two processes (two CTF traces), events on more than one stream of the first."""
    check(RECORDING, "REFBLAME_E2E_RECORDING (where the shared recording goes) is not set")
    shutil.rmtree(RECORDING, ignore_errors=True)
    rec = run([REFBLAME, "record", "-o", RECORDING, "--", PROGRAM, "2000"])
    check(rec.rc == 0, f"record exited {rec.rc}:\n{rec.stderr}")
    drop_unsure(RECORDING, rec.stderr)
    traces_of(RECORDING)


def recorded(tmp):
    """A copy of the shared recording in `tmp`: (trace, parent's trace, child's trace)."""
    check(RECORDING and os.path.isdir(RECORDING),
          f"no shared recording at {RECORDING!r}: run the case record_the_shared_recording first (ctest does)")
    trace = os.path.join(tmp, "trace")
    shutil.copytree(RECORDING, trace)
    return (trace, *traces_of(trace))


def refused(args, *words):
    """Every query exits 2 with one message (naming `words`), no output, no internal error, no hang."""
    for q in QUERIES:
        r = run([REFBLAME, q, *args], timeout=60)
        check(r.rc == 2, f"refblame {q} {' '.join(args)} exited {r.rc} (expected 2):\n{r.stdout[-1000:]}{r.stderr[-2000:]}")
        check(r.stdout == "", f"refblame {q} printed an answer while refusing:\n{r.stdout[:1000]}")
        check(r.stderr.startswith("refblame: ") and "internal error" not in r.stderr,
              f"refblame {q}: not one clear message:\n{r.stderr}")
        for w in words:
            check(w in r.stderr, f"refblame {q}: message does not mention {w!r}:\n{r.stderr}")


def partial(trace, *words):
    """Every query answers (exit 0) and says, in JSON and in text, what was skipped."""
    for q in QUERIES:
        r = run([REFBLAME, q, trace, "--format", "json"], timeout=60)
        check(r.rc == 0, f"refblame {q} exited {r.rc} on a partly readable trace:\n{r.stderr[-2000:]}")
        answer = r.json()
        check(answer["events"] > 0, f"refblame {q}: a partial answer with no events")
        warnings = "\n".join(answer["warnings"])
        for w in words:
            check(w in warnings, f"refblame {q} --format json: warnings do not mention {w!r}:\n{warnings}")
        text = run([REFBLAME, q, trace], timeout=60)
        check(text.rc == 0 and all(w in text.stdout for w in words),
              f"refblame {q} text does not say what was skipped ({words}):\n{text.stdout[:3000]}")


def rewrite(path, old, new):
    """Replaces every `old` by `new` (same length: the packet framing stays valid) in a metadata file."""
    check(len(old) == len(new), "rewrite must keep the size")
    with open(path, "rb") as f:
        data = f.read()
    check(old in data, f"{path} does not contain {old!r}")
    with open(path, "wb") as f:
        f.write(data.replace(old, new))


def case_stream_cut_mid_packet_gives_a_partial_answer_naming_the_file(tmp):
    trace, parent, _ = recorded(tmp)
    stream = max(glob.glob(os.path.join(parent, "refblame_*")), key=os.path.getsize)
    check(os.path.getsize(stream) > 4096, f"{stream} is too small to cut mid-packet")
    os.truncate(stream, os.path.getsize(stream) - 1000)
    partial(trace, stream, "skipped")


def case_corrupt_metadata_of_every_trace_is_an_error_naming_a_metadata_file(tmp):
    trace, parent, child = recorded(tmp)
    for d in (parent, child):
        rewrite(os.path.join(d, "metadata"), b"event {", b"evXnt {")  # a TSDL syntax error
    refused([trace], "metadata", "cannot parse")


def case_corrupt_metadata_of_one_trace_skips_it_and_says_so(tmp):
    trace, parent, child = recorded(tmp)
    rewrite(os.path.join(child, "metadata"), b"event {", b"evXnt {")
    partial(trace, os.path.join(child, "metadata"), "skipped")


def case_metadata_cut_mid_packet_is_an_error_not_a_hang(tmp):
    trace, parent, _ = recorded(tmp)
    meta = os.path.join(parent, "metadata")
    os.truncate(meta, os.path.getsize(meta) - 100)
    refused([parent], meta, "truncated")


def case_empty_directory_is_an_error_saying_so(tmp):
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    refused([empty], empty, "empty")


def case_directory_without_ctf_is_an_error_saying_so(tmp):
    d = os.path.join(tmp, "notes")
    os.mkdir(d)
    with open(os.path.join(d, "readme.txt"), "w") as f:
        f.write("not a trace\n")
    refused([d], d, "no CTF trace")
    refused([os.path.join(tmp, "missing")], os.path.join(tmp, "missing"), "no such file")


def case_ctf_without_refblame_events_is_an_error_saying_so(tmp):
    trace, parent, child = recorded(tmp)
    for d in (parent, child):  # the events are still there, under another provider's name
        rewrite(os.path.join(d, "metadata"), b'"refblame:', b'"otherlib:')
    refused([trace], trace, "no refblame events")


def case_refblame_events_lacking_a_field_are_an_error_naming_the_field(tmp):
    trace, parent, child = recorded(tmp)
    for d in (parent, child):  # an older or newer event format: the `count` field is not there
        rewrite(os.path.join(d, "metadata"), b"} _count;", b"} _cuont;")
    refused([trace], "`count`")


def case_packet_size_with_its_top_bit_flipped_skips_the_file_naming_it(tmp):
    # Babeltrace2 2.0 aborts the process on such a packet header: refblame must catch it first.
    trace, parent, _ = recorded(tmp)
    stream = max(glob.glob(os.path.join(parent, "refblame_*")), key=os.path.getsize)
    with open(stream, "r+b") as f:
        f.seek(56 + 7)  # packet.context.packet_size (u64, little endian), most significant byte
        top = f.read(1)[0]
        f.seek(56 + 7)
        f.write(bytes([top | 0x80]))
    partial(trace, stream, "corrupt", "skipped")


def case_babeltrace2_crash_is_exit_2_with_a_message(tmp):
    # A stream file that makes libbabeltrace2 fault while decoding a payload (found by tests/fuzz/trace_fuzzer).
    fuzz = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz")
    d = os.path.join(tmp, "crashing")
    os.mkdir(d)
    shutil.copy(os.path.join(fuzz, "trace_template", "metadata"), d)
    shutil.copy(os.path.join(fuzz, "known_crashes", "bt2-segv-in-payload.refblame_0"), os.path.join(d, "refblame_0"))
    for q in QUERIES:
        r = run([REFBLAME, q, d], timeout=60)
        check(r.rc in (0, 2), f"refblame {q} on a stream that crashes Babeltrace2 exited {r.rc}:\n{r.stderr[-2000:]}")
        if r.rc == 2:  # (a Babeltrace2 that no longer crashes may read it or refuse it cleanly)
            check(f"refblame: reading {d} crashed" in r.stderr or r.stderr.startswith("refblame: "),
                  f"refblame {q}: no clear message:\n{r.stderr[-2000:]}")


if __name__ == "__main__":
    main(globals(), 4)
