#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Coverage-guided fuzzing of the steering program's parser (issue 13):
# libFuzzer on the reference parser (selftests/steer/fuzz_ref_parser.c,
# ASan + UBSan + the parser's own invariants), then every corpus entry
# through the BPF parser of steer_meta.bpf.o by BPF_PROG_TEST_RUN, which
# must agree with the reference on each (selftests/host/steer_replay.c).
#
#   steer_libfuzz.sh [-t SECONDS] [-s SEED]
#
# 60 s with seed 1 by default (make test); make hardening runs 1200 s.
# In build/fuzz/: seeds/ (frames from the packet builder, written afresh
# by `steer_replay -w`), corpus/ (what libFuzzer keeps; it grows from run
# to run and is never committed), fuzz.log, and crash-* for an input that
# broke the reference parser: `build/selftests/steer/fuzz_ref_parser
# FILE` reproduces it, `steer_replay FILE` runs it through the program.
# Ends with "fuzz: N executions, corpus M entries; replay: M frames,
# 0 disagreements".
set -uo pipefail

TIME=60 SEED=1
while getopts t:s: opt; do
	case $opt in
	t) TIME=$OPTARG ;;
	s) SEED=$OPTARG ;;
	*) echo "usage: steer_libfuzz.sh [-t SECONDS] [-s SEED]" >&2; exit 1 ;;
	esac
done

B=${XSK_BUILD:-build}
FUZZ=$B/selftests/steer/fuzz_ref_parser
REPLAY=$B/selftests/host/steer_replay
DIR=$B/fuzz
mkdir -p "$DIR/corpus" || exit 1
rm -rf "$DIR/seeds"
"$REPLAY" -w "$DIR/seeds" || exit 1

echo "# libFuzzer: ${TIME} s, seed $SEED, frames up to 9216 bytes"
# corpus/ first: libFuzzer writes what it finds there, reads both
"$FUZZ" -seed="$SEED" -max_total_time="$TIME" -max_len=9216 -timeout=10 \
	-print_final_stats=1 -artifact_prefix="$DIR/" \
	"$DIR/corpus" "$DIR/seeds" >"$DIR/fuzz.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: the fuzzer stopped (exit $rc); $DIR/fuzz.log ends:"
	tail -n 40 "$DIR/fuzz.log"
	exit 1
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$DIR/fuzz.log")
found=$(find "$DIR/corpus" -type f | wc -l)
seeds=$(find "$DIR/seeds" -type f | wc -l)
entries=$((found + seeds))
echo "# fuzz: $execs executions, $(sed -n 's/^stat::new_units_added: *//p' \
	"$DIR/fuzz.log") new inputs this run; corpus: $found found + $seeds seeds"

out=$("$REPLAY" "$DIR/corpus" "$DIR/seeds")
rc=$?
echo "$out"
frames=$(echo "$out" | sed -n 's/^# replay: \([0-9]*\) frames, .*/\1/p')
bad=$(echo "$out" | sed -n 's/^# replay: [0-9]* frames, \([0-9]*\) disagreements.*/\1/p')
echo "fuzz: ${execs:-?} executions, corpus $entries entries;" \
     "replay: ${frames:-?} frames, ${bad:-?} disagreements"
[ $rc -eq 0 ] && [ "${frames:-0}" = "$entries" ] && [ -n "$execs" ]
