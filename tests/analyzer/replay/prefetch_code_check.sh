#!/bin/sh
# prefetch_code_check.sh: the prefetch stages of the replay and the life tallies are compiled into the refblame binary (x86-64).
# Code that only prefetches has no effect a compiler must keep: a refactoring once left these functions empty,
# with every test passing and the output unchanged; only the analysis time showed it.
set -eu
bin=$1
if [ "$(uname -m)" != x86_64 ]; then
    echo "not x86-64: nothing to check"
    exit 0
fi
status=0
for name in ReplayEngine8prefetch LifeFlows8prefetch; do
    sym=$(nm "$bin" | awk -v n="$name" '$3 ~ n { print $3; exit }')
    if [ -z "$sym" ]; then
        echo "FAIL: no function matching $name in $bin"
        status=1
        continue
    fi
    count=$(objdump -d --no-show-raw-insn "--disassemble=$sym" "$bin" | grep -cE '[[:space:]]prefetch(t0|t1|t2|nta|w)[[:space:]]' || true)
    if [ "$count" -lt 2 ]; then # the slot, and the loop over lines (stages may share it)
        echo "FAIL: $(echo "$sym" | c++filt) holds $count prefetch instructions"
        status=1
    else
        echo "ok: $(echo "$sym" | c++filt): $count prefetch instructions"
    fi
done
exit $status
