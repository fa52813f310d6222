#!/bin/bash
# The VM runner fails a run when it must: a guest test that fails, and a
# kernel WARN on the console while every test passes. Each case boots the
# guest kernel of this run (XSK_KERNEL) once. In the first boot also: a
# test named TEST@LINK runs with XSK_LINK=LINK, reported and logged under
# that name, next to the same test without it (veth).
set -u
run() { "$XSK_TOP/scripts/vm-run.sh" -k "$XSK_KERNEL" -t 300 -o "$1" "${@:2}"; }
fails=0
expect() { # expect DESCRIPTION PATTERN OUTPUT
	if grep -q -- "$2" <<<"$3"; then echo "ok   $1"
	else echo "FAIL $1: no '$2' in:"; echo "$3" | sed 's/^/     /'; fails=$((fails + 1)); fi
}
out=$XSK_BUILD/test-results/harness
[ -f "$XSK_KERNEL" ] || { echo "no guest kernel at $XSK_KERNEL"; exit 1; }

o=$(run "$out/none" vm/boot.sh@ 2>&1); rc=$?
expect "TEST@ without a link: refused before boot" . "$([ $rc = 2 ] && echo x)"

o=$(run "$out/fail" vm/boot.sh vm/harness/fail.sh vm/harness/link.sh@nsim vm/harness/link.sh 2>&1); rc=$?
expect "failing guest test: run exits non-zero" . "$([ $rc != 0 ] && echo x)"
expect "failing guest test: reported" '^FAIL vm/harness/fail.sh' "$o"
expect "failing guest test: its neighbour still passes" '^PASS vm/boot.sh' "$o"
expect "failing guest test: console clean" '^PASS vm/console' "$o"
expect "TEST@nsim: reported under its name" '^PASS vm/harness/link.sh@nsim$' "$o"
expect "TEST@nsim: runs with XSK_LINK=nsim" '^XSK_LINK=nsim$' \
	"$(cat "$out/fail/vm_harness_link.sh@nsim.log" 2>&1)"
expect "TEST without @: reported" '^PASS vm/harness/link.sh$' "$o"
expect "TEST without @: runs with XSK_LINK=veth" '^XSK_LINK=veth$' \
	"$(cat "$out/fail/vm_harness_link.sh.log" 2>&1)"

o=$(run "$out/warn" vm/harness/warn.sh 2>&1); rc=$?
expect "WARN: run exits non-zero" . "$([ $rc != 0 ] && echo x)"
expect "WARN: the test itself passed" '^PASS vm/harness/warn.sh' "$o"
expect "WARN: console verdict fails the run" '^FAIL vm/console' "$o"
expect "WARN: the injected warning is quoted" 'WARNING: CPU.*xsk_dmabuf_selftest.c' "$o"
[ $fails = 0 ]
