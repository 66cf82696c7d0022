#!/usr/bin/env bash
# test.sh: set up, build and run every test: the main build (warnings as errors), the ASan+UBSan build, a build
# with tracing compiled out, and a short libFuzzer run (clang). CI runs exactly this.
# Speed (CI has 2 CPUs and 15 minutes): the tools and unit tests compile in unity batches (REFBLAME_UNITY_BUILD;
# scripts/demo.sh and a default configure build one file per compile), and ctest runs two tests at a time, the
# ones that record or run an instrumented program one at a time among themselves (the `lttng` lock). The sanitizer
# step leaves out the `volume` tests (LTTng's buffering under millions of events: no code of ours the others miss).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

jobs=$(nproc)
step() { printf '\n=== %s (at %d s)\n' "$*" "$SECONDS"; }

step "main build (RelWithDebInfo, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREFBLAME_WERROR=ON -DREFBLAME_UNITY_BUILD=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

step "sanitizer build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DREFBLAME_WERROR=ON -DREFBLAME_SANITIZE=ON -DREFBLAME_UNITY_BUILD=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE "no-sanitizer|volume"

step "tracing compiled out (REFBLAME_TRACING=OFF)"
cmake -S . -B build-notrace -DREFBLAME_TRACING=OFF -DREFBLAME_BUILD_TOOLS=OFF -DREFBLAME_WERROR=ON >/dev/null
cmake --build build-notrace -j"$jobs"
ctest --test-dir build-notrace --output-on-failure -j"$jobs"

step "fuzzing (libFuzzer + ASan + UBSan, clang-14, ${REFBLAME_FUZZ_SECONDS:-30} s of the replay fuzzer)"
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREFBLAME_WERROR=ON \
  -DREFBLAME_FUZZ=ON -DREFBLAME_UNITY_BUILD=ON -DREFBLAME_FUZZ_SECONDS="${REFBLAME_FUZZ_SECONDS:-30}" >/dev/null
cmake --build build-fuzz -j"$jobs" --target replay_fuzzer trace_fuzzer
ctest --test-dir build-fuzz --output-on-failure -L fuzz
