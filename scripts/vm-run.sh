#!/bin/bash
# Boot the patched guest kernel under QEMU (TCG) with the host's root file
# system shared read-only over 9p, run the given tests inside it, and judge
# the run from the host:
#
#   vm-run.sh [-k BZIMAGE] [-t TIMEOUT_S] [-o OUTDIR] [--debug] [--icount]
#             [--smp N] [--mem MB] [-e NAME=VALUE]... TEST...
#
# TEST is a path relative to selftests/ of an executable run in the guest
# (e.g. vm/boot.sh), or of a program built into build/selftests/; with
# @LINK after it (vm/demo.sh@nsim) it runs over that link (XSK_LINK=LINK,
# selftests/lib/link.sh). Each prints "PASS name" or "FAIL name"; a test that
# did not report (crash, timeout) fails. The run also fails if the guest
# console shows an oops, a BUG or WARN, a KASAN/UBSAN/lockdep/kmemleak
# report, an RCU stall, a soft lockup or a hung task, whatever the tests
# said. Exit status: 0 if every test passed and the console is clean.
# -e passes NAME=VALUE into the environment of the guest's tests. Runs on one
# machine take turns: one guest at a time (the lock file XSK_VM_LOCK,
# default /tmp/xsk-vm.lock).
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
KERNEL="" TIMEOUT=600 OUT="" DEBUG=0 ICOUNT=0 SMP=2 MEM=2048 ENVS=""
while [ $# -gt 0 ]; do
	case "$1" in
	-k) KERNEL=$2; shift 2 ;;
	-t) TIMEOUT=$2; shift 2 ;;
	-o) OUT=$2; shift 2 ;;
	--debug) DEBUG=1; shift ;;
	--icount) ICOUNT=1; shift ;;
	--smp) SMP=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	-e) case "$2" in
	    *=*\ *|*=*,*|*=) echo "vm-run: -e $2: no spaces or commas" >&2; exit 2 ;;
	    [A-Za-z_]*=*) ENVS+=" $2" ;;
	    *) echo "vm-run: -e wants NAME=VALUE" >&2; exit 2 ;;
	    esac; shift 2 ;;
	-h|--help) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
	--) shift; break ;;
	-*) echo "vm-run: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "vm-run: no test given" >&2; exit 2; }
if [ -z "$KERNEL" ]; then
	variant=default; [ $DEBUG = 1 ] && variant=debug
	KERNEL=$("$TOP/scripts/kernel.sh" image $variant)
fi
[ -f "$KERNEL" ] || { echo "vm-run: no kernel image $KERNEL (make kernel)" >&2; exit 2; }
for t in "$@"; do
	case "$t" in
	*@*@*|*@) echo "vm-run: $t: one @LINK at most, not empty" >&2; exit 2 ;;
	esac
	[ -x "$TOP/selftests/${t%@*}" ] || [ -x "$TOP/build/selftests/${t%@*}" ] ||
		{ echo "vm-run: no test selftests/${t%@*} or build/selftests/${t%@*} (make?)" >&2; exit 2; }
done

[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/xsk-vm.XXXXXX)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/results "$OUT"/console.log "$OUT"/*.log
CONSOLE=$OUT/console.log

# Guest parameters travel on the kernel command line: unknown key=value
# pairs end up in init's environment.
tests=$(IFS=,; echo "$*")
append="console=ttyS0 root=host0 rootfstype=9p ro"
append+=" rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose"
append+=" init=$TOP/selftests/vm/guest-init.sh panic=-1 oops=panic=0"
append+=" xsk_top=$TOP xsk_tests=$tests xsk_debug=$DEBUG$ENVS"
# Without ACPI IRQ routing the KASAN kernel does not stall under TCG.
append+=" acpi=noirq"

accel=(-accel tcg -cpu max)
[ $ICOUNT = 1 ] && accel+=(-icount shift=0,sleep=off,align=off)

# One guest at a time on this machine (two TCG guests on 2 cores were
# measured slower than one after the other): wait for any other run.
exec 8>"${XSK_VM_LOCK:-/tmp/xsk-vm.lock}"
if ! flock -n 8; then
	echo "vm-run: waiting for another guest to finish" >&2
	flock 8
fi

start=$SECONDS
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 "${accel[@]}" \
	-smp "$SMP" -m "$MEM" -nodefaults -no-reboot -display none \
	-serial "file:$CONSOLE" -monitor none \
	-kernel "$KERNEL" -append "$append" \
	-virtfs local,path=/,mount_tag=host0,security_model=none,readonly=on,multidevs=remap,id=root \
	-virtfs local,path="$OUT",mount_tag=results,security_model=none,id=results \
	</dev/null >"$OUT/qemu.log" 2>&1
qrc=$?
elapsed=$((SECONDS - start))

pass=0 fail=0
for t in "$@"; do
	name=$t
	r=$(awk -v n="$name" '$2 == n { print $1 }' "$OUT/results" 2>/dev/null | tail -n1)
	case "$r" in
	PASS) echo "PASS $name"; pass=$((pass + 1)) ;;
	SKIP) echo "SKIP $name ($(tail -n1 "$OUT/$(echo "$name" | tr / _).log"))" ;;
	FAIL) log=$OUT/$(echo "$name" | tr / _).log
	      echo "FAIL $name (log: $log)"; fail=$((fail + 1))
	      # What failed, where the log is not kept (CI): the test's own
	      # failure lines, then its last lines.
	      { grep -m 20 -e FAIL -e 'not ok' "$log"; echo ...; tail -n 15 "$log"; } |
		      sed 's/^/    /' ;;
	*) echo "FAIL $name (no result: guest crashed or timed out)"; fail=$((fail + 1)) ;;
	esac
done

# The console verdict: kernel reports that fail the run on their own.
bad=$("$TOP/scripts/console-check.sh" "$CONSOLE" 2>&1)
if [ $? != 0 ]; then
	echo "FAIL vm/console (kernel reported problems; see $CONSOLE)"
	echo "$bad" | sed 's/^/    /' | head -n 20
	fail=$((fail + 1))
else
	echo "PASS vm/console"
	pass=$((pass + 1))
fi
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
	echo "FAIL vm/timeout (guest still running after ${TIMEOUT}s)"
	fail=$((fail + 1))
elif ! grep -q '^xsk-vm: done' "$CONSOLE"; then
	echo "FAIL vm/shutdown (guest did not finish its run; qemu exit $qrc)"
	tail -n 5 "$CONSOLE" | sed 's/^/    /'
	fail=$((fail + 1))
fi
echo "vm-run: $pass passed, $fail failed in ${elapsed}s (kernel $KERNEL, output $OUT)" >&2
[ $fail = 0 ]
