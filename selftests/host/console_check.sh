#!/bin/bash
# scripts/console-check.sh, which decides whether a guest console shows
# the kernel in trouble, on sample logs: the clean one yields nothing,
# each of the others (WARN, KASAN, lockdep, hung task, oops, kmemleak, RCU
# stall and misuse, soft lockup) yields at least one line.
set -u
dir=$XSK_TOP/selftests/host/console-samples
check=$XSK_TOP/scripts/console-check.sh
fails=0
for f in "$dir"/*.log; do
	out=$("$check" "$f"); rc=$?
	case "$(basename "$f")" in
	clean*.log) want=clean ;;
	*) want=flagged ;;
	esac
	got="exit $rc"
	[ $rc = 0 ] && [ -z "$out" ] && got=clean
	[ $rc = 1 ] && [ -n "$out" ] && got=flagged
	if [ $got = $want ]; then
		echo "ok   $(basename "$f"): $got"
	else
		echo "FAIL $(basename "$f"): $got, expected $want"
		fails=$((fails + 1))
	fi
done
# A missing log is not a clean one.
"$check" "$dir/does-not-exist.log" >/dev/null 2>&1
if [ $? = 2 ]; then
	echo "ok   missing log: error"
else
	echo "FAIL missing log is not an error"; fails=$((fails + 1))
fi
[ $fails = 0 ]
