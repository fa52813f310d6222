#!/bin/bash
# The test command behind `make test`: host tests, then the VM tests in one
# boot of the patched kernel, then one summary line "N passed, N failed".
#
#   test.sh [--kconfig default|debug] [--host-only | --vm-only [TEST...]]
#
# Host tests are listed in selftests/host/TESTS, VM tests in
# selftests/vm/TESTS (paths relative to selftests/, found there or, for
# programs, in build/selftests/; a VM test may end in @LINK, the link it
# runs over: vm/demo.sh@nsim). A test is an executable: exit 0 passes,
# 4 skips, anything else fails. Host tests get
# XSK_TOP, XSK_BUILD and XSK_KERNEL (the guest bzImage) in the environment.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
KCONFIG=default MODE=all
while [ $# -gt 0 ]; do
	case "$1" in
	--kconfig) KCONFIG=$2; shift 2 ;;
	--host-only) MODE=host; shift ;;
	--vm-only) MODE=vm; shift ;;
	*) break ;;
	esac
done

export XSK_TOP=$TOP XSK_BUILD=$TOP/build KCONFIG
list() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/selftests/$1/TESTS"; }

OUT=$TOP/build/test-results
rm -rf "$OUT"; mkdir -p "$OUT"
: > "$OUT/summary"

run_host() {
	local t rc log start exe
	export XSK_KERNEL
	XSK_KERNEL=$("$TOP/scripts/kernel.sh" image "$KCONFIG")
	for t in $(list host); do
		log=$OUT/$(echo "$t" | tr / _).log
		start=$SECONDS
		exe=$TOP/selftests/$t
		[ -x "$exe" ] || exe=$TOP/build/selftests/$t
		(cd "$TOP" && timeout -k 10 900 "$exe") >"$log" 2>&1
		rc=$?
		case $rc in
		0) echo "PASS $t ($((SECONDS - start))s)" ;;
		4) echo "SKIP $t ($(tail -n1 "$log"))" ;;
		*) echo "FAIL $t (exit $rc, log $log)"; tail -n 20 "$log" | sed 's/^/    | /' ;;
		esac
	done
}

run_vm() {
	local tests=("$@") debug=() limit=3600
	[ ${#tests[@]} -gt 0 ] || mapfile -t tests < <(list vm)
	# The whole list takes ~25 min on a busy 2-core host (half of it the
	# @nsim and @nsim-split runs); the debug kernel (KASAN, lockdep,
	# kmemleak) runs about 3x slower.
	[ "$KCONFIG" = debug ] && debug=(--debug) limit=8100
	"$TOP/scripts/vm-run.sh" "${debug[@]}" -o "$OUT/vm" -t $limit "${tests[@]}"
}

{
	[ $MODE != vm ] && run_host
	[ $MODE != host ] && run_vm "$@"
} 2>&1 | tee "$OUT/summary"

pass=$(grep -c '^PASS ' "$OUT/summary")
fail=$(grep -c '^FAIL ' "$OUT/summary")
skip=$(grep -c '^SKIP ' "$OUT/summary")
echo
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
