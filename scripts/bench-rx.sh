#!/bin/bash
# Receive benchmark (make bench-rx, part of make bench): the patched kernel
# under QEMU with -icount (time counts guest instructions, not host noise),
# selftests/bench/vm_rx.sh inside: plain AF_XDP copy mode vs the dmabuf UMEM
# vs recvmmsg on the same veth, ratios against plain AF_XDP.
#
#   bench-rx.sh [--count N] [--sizes A,B,C]
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
COUNT=20000 SIZES=64,1500,8192
while [ $# -gt 0 ]; do
	case "$1" in
	--count) COUNT=$2; shift 2 ;;
	--sizes) SIZES=$2; shift 2 ;;
	*) echo "usage: bench-rx.sh [--count N] [--sizes A,B,C]" >&2; exit 2 ;;
	esac
done
out=$TOP/build/bench-rx
echo "== rx: plain AF_XDP vs dmabuf UMEM vs recvmmsg, in the guest (-icount)"
"$TOP/scripts/vm-run.sh" --icount -o "$out" -t 1800 -e BENCH_COUNT="$COUNT" \
	-e BENCH_SIZES="${SIZES//,/_}" bench/vm_rx.sh >"$out.verdict" 2>&1
rc=$?
cat "$out/bench_vm_rx.sh.log" 2>/dev/null
[ $rc = 0 ] || cat "$out.verdict"
exit $rc
