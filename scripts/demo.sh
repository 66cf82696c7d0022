#!/usr/bin/env bash
# demo.sh: the main job: set up, build, record the page-pool example, and show who blocked its migrations.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target refblame_cli page_pool
trace=$(mktemp -d /tmp/refblame-page-pool.XXXXXX)
rmdir "$trace"
build/refblame record -o "$trace" -- build/examples/page_pool
echo
build/refblame blockers "$trace"
