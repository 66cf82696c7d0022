#!/usr/bin/env bash
# make_trace_template.sh: records tests/e2e/programs/program_bugs with `refblame record` and keeps its metadata as
# trace_template/metadata and its stream files as trace seeds (corpus/trace/), for trace_fuzzer.
# Run again when the event format changes. Usage: make_trace_template.sh BUILD_DIR (with refblame and e2e_program_bugs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/refblame" record -o "$tmp/trace" -- "$build/tests/e2e/e2e_program_bugs" >/dev/null
ctf=$(dirname "$(find "$tmp/trace" -name metadata | head -1)")
mkdir -p "$here/trace_template" "$here/corpus/trace"
cp "$ctf/metadata" "$here/trace_template/metadata"
rm -f "$here"/corpus/trace/stream-*
for s in "$ctf"/refblame_*; do
  [ -s "$s" ] && cp "$s" "$here/corpus/trace/stream-$(basename "$s")"
done
ls -l "$here/trace_template" "$here/corpus/trace"
