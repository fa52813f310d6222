#!/bin/bash
# make demo: boot the patched kernel under QEMU and run the demo
# (selftests/vm/demo.sh) in it twice, over veth (copy mode, native and skb
# XDP) and over the reference driver with header split (copy mode and zero
# copy side by side), then show what it printed.
#
#   demo.sh [--kconfig default|debug] [--count N]
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
KCONFIG=default COUNT=5000
while [ $# -gt 0 ]; do
	case "$1" in
	--kconfig) KCONFIG=$2; shift 2 ;;
	--count) COUNT=$2; shift 2 ;;
	*) echo "usage: demo.sh [--kconfig default|debug] [--count N]" >&2; exit 2 ;;
	esac
done
debug=(); [ "$KCONFIG" = debug ] && debug=(--debug)
out=$TOP/build/demo
echo "demo: booting the patched 6.12 kernel under QEMU (TCG) ..."
"$TOP/scripts/vm-run.sh" "${debug[@]}" -o "$out" -t 1800 -e XSK_TEST_TIMEOUT=800 -e DEMO_COUNT="$COUNT" \
	vm/demo.sh vm/demo.sh@nsim-split >"$out.verdict" 2>&1
rc=$?
cat "$out/vm_demo.sh.log" 2>/dev/null
echo
cat "$out/vm_demo.sh@nsim-split.log" 2>/dev/null
echo
cat "$out.verdict"
exit $rc
