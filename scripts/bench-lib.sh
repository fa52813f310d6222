#!/bin/bash
# Library ring benchmark (make bench-lib, part of make bench): the
# library's receive + release loops against the same loop with libxdp's
# xsk_ring_* helpers on simulated rings (selftests/bench/lib_bench.c).
#
# 1. time: descriptors/s, pinned to one CPU when there is more than one;
#    on a shared machine the absolute numbers move, the ratios less.
# 2. instructions per packet for each loop and packet shape, counted by
#    callgrind: they do not move from run to run. The simulated kernel's
#    share (the same code for all three) is taken out.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${XSK_BUILD:-$TOP/build}/selftests/bench/lib_bench
pin=()
[ "$(nproc)" -gt 1 ] && command -v taskset >/dev/null && pin=(taskset -c 1)
"${pin[@]}" "$BENCH" "$@"

command -v valgrind >/dev/null || { echo "(no valgrind: no instruction counts)"; exit 0; }
ROUNDS=2000 BATCH=64
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo
echo "== instructions per packet (callgrind, $((ROUNDS * BATCH)) packets per shape)"
printf "%-16s %9s %9s %9s %8s %8s\n" packet recv+rel peek+relp libxdp rel/xdp relp/xdp
# Inclusive count of one of lib_bench's noinline functions in this run.
get() { grep -m1 -E "lib_bench\.c:$1 \[" "$out/txt" | awk '{ gsub(",", "", $1); print $1 }'; }
# Per packet, without the simulated kernel's share (k, for three loops).
per() { echo "$(( ($(get "$1") - k / 3) / (ROUNDS * BATCH) ))"; }
for s in 0 1 2; do
	valgrind -q --tool=callgrind --callgrind-out-file="$out/cg" \
		"$BENCH" -r $ROUNDS -R 1 -b $BATCH -s $s >/dev/null
	callgrind_annotate --inclusive=yes "$out/cg" >"$out/txt" 2>/dev/null
	k=$(get kernel_round)
	l=$(per run_library) o=$(per run_in_order) x=$(per run_libxdp)
	printf "hdr + %u payload %9u %9u %9u %8.2f %8.2f\n" "$s" "$l" "$o" "$x" \
		"$(echo "$x / $l" | bc -l)" "$(echo "$x / $o" | bc -l)"
done
echo "(x/xdp > 1: fewer instructions than the libxdp loop)"
