#!/bin/bash
# Steering benchmark (make bench-steer, part of make bench): ns/packet of
# steer.bpf.o under BPF_PROG_TEST_RUN with 1M exact flows and 10k prefix
# rules, against `return XDP_PASS` and xdp-filter in the same run; then,
# with BENCH_PERF=1, a perf profile (cpu-clock resolves JITed BPF symbols).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
export XSK_BUILD=${XSK_BUILD:-$TOP/build}
BENCH=$XSK_BUILD/selftests/bench/steer_bench
[ "$(sysctl -n net.core.bpf_jit_enable)" = 1 ] || echo "bench-steer: warning: JIT is off" >&2
echo "== steer: BPF_PROG_TEST_RUN, ns/packet"
"$BENCH" "$@"
if [ "${BENCH_PERF:-0}" = 1 ] && command -v perf >/dev/null; then
	out=$(mktemp -d)
	perf record -q -e cpu-clock -o "$out/perf.data" -- "$BENCH" -R 1 >/dev/null 2>&1
	perf report -i "$out/perf.data" --stdio --sort sym 2>/dev/null | grep -v '^#' |
		grep -v '^$' | head -n 20
	rm -rf "$out"
fi
