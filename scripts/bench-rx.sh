#!/bin/bash
# Receive benchmark (make bench-rx, part of make bench): the patched kernel
# under QEMU with -icount (time counts guest instructions, not host noise),
# selftests/bench/vm_rx.sh inside, over the reference driver with header
# split: plain AF_XDP copy mode, the dmabuf UMEM in copy mode and in zero
# copy, and devmem TCP, per packet cost against plain AF_XDP.
#
#   bench-rx.sh [--count N] [--sizes A,B,C] [--modes M,N]
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
COUNT=20000 SIZES=1500,8192,8958 MODES=xsk,dmabuf,zc,devmem
while [ $# -gt 0 ]; do
	case "$1" in
	--count) COUNT=$2; shift 2 ;;
	--sizes) SIZES=$2; shift 2 ;;
	--modes) MODES=$2; shift 2 ;;
	*) echo "usage: bench-rx.sh [--count N] [--sizes A,B,C] [--modes M,N]" >&2; exit 2 ;;
	esac
done
out=$TOP/build/bench-rx
echo "== rx: AF_XDP copy vs dmabuf UMEM copy and zero copy vs devmem TCP, netdevsim in the guest (-icount)"
"$TOP/scripts/vm-run.sh" --icount -o "$out" -t 3600 -e XSK_TEST_TIMEOUT=3300 -e BENCH_COUNT="$COUNT" \
	-e BENCH_SIZES="${SIZES//,/_}" -e BENCH_MODES="${MODES//,/_}" \
	bench/vm_rx.sh@nsim-split >"$out.verdict" 2>&1
rc=$?
cat "$out/bench_vm_rx.sh@nsim-split.log" 2>/dev/null || ls "$out"
[ $rc = 0 ] || cat "$out.verdict"
exit $rc
