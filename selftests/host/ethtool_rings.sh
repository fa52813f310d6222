#!/bin/bash
# ethtool_rings (selftests/tools/ethtool_rings.c) and the tests' ethtool
# wrapper (selftests/lib/ethtool-nl/ethtool) on this host: every bad
# argument is refused with exit 2 and a message naming it, before anything
# is sent; a request the kernel refuses exits 1 with the errno and the
# kernel's extack message (veth has no ring parameters, a missing device
# has none either); what the wrapper does not handle reaches the real
# ethtool. vm/nsim_hds.sh sets and reads tcp-data-split on the reference
# driver through the same two.
set -u
TOP=${XSK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${XSK_BUILD:-$TOP/build}
R=$B/selftests/tools/ethtool_rings
W=$TOP/selftests/lib/ethtool-nl/ethtool
# shellcheck source=selftests/lib/checks.sh
. "$TOP/selftests/lib/checks.sh"
[ -x "$R" ] || { echo "FAIL: no $R (run 'make')"; exit 1; }
NS=ethr$$
ip netns add $NS || { echo "FAIL: ip netns add"; exit 1; }
trap 'ip netns del $NS 2>/dev/null' EXIT
if ! ip -n $NS link add vr0 type veth peer name vr1 || ! ip -n $NS link set vr0 up; then
	echo "FAIL: veth in $NS"
	exit 1
fi

# expect WHAT RC PATTERN CMD...: CMD (in the namespace) exits RC and its
# stderr matches PATTERN (an extended regex).
expect() {
	local what=$1 want=$2 pat=$3 out rc
	shift 3
	out=$(ip netns exec $NS "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc != "$want" ]; then
		fail "$what: exit $rc, want $want ($out)"
	elif ! grep -Eq -- "$pat" <<<"$out"; then
		fail "$what: stderr '$out' lacks /$pat/"
	else
		ok "$what: exit $rc: $(head -n1 <<<"$out")"
	fi
}

expect "no arguments" 2 '^usage: ethtool_rings' "$R"
expect "unknown operation" 2 'get or set' "$R" put vr0
expect "empty interface name" 2 '1 to 15 characters' "$R" get ''
expect "16-character interface name" 2 '1 to 15 characters' "$R" get abcdefghijklmnop
expect "get with a parameter" 2 'only the interface' "$R" get vr0 rx
expect "set without parameters" 2 'PARAM VALUE pairs' "$R" set vr0
expect "set with a value missing" 2 'PARAM VALUE pairs' "$R" set vr0 rx 1 tx
expect "unknown parameter" 2 "unknown parameter 'rx-ring'" "$R" set vr0 rx-ring 1
expect "read-only parameter" 2 "unknown parameter 'rx-max'" "$R" set vr0 rx-max 1
expect "number with a suffix" 2 "rx takes a number .* not '5x'" "$R" set vr0 rx 5x
expect "negative number" 2 "tx takes a number .* not '-1'" "$R" set vr0 tx -1
expect "number over 32 bits" 2 "not '4294967296'" "$R" set vr0 rx 4294967296
expect "empty number" 2 "not ''" "$R" set vr0 cqe-size ''
expect "tcp-data-split value" 2 "on, off or auto, not 'yes'" "$R" set vr0 tcp-data-split yes
expect "tx-push value" 2 "on or off, not '1'" "$R" set vr0 tx-push 1
expect "parameter given twice" 2 'rx given twice' "$R" set vr0 rx 1 tcp-data-split on rx 2
expect "bad pair after a good one" 2 "unknown parameter 'x'" "$R" set vr0 tcp-data-split on x 1
expect "missing device" 1 'nosuch0: No such device' "$R" get nosuch0
expect "rings-get on veth" 1 'vr0: Operation not supported' "$R" get vr0
expect "tcp-data-split on veth" 1 'Operation not supported: setting TCP data split is not supported' \
	"$R" set vr0 tcp-data-split on
expect "wrapper -G tcp-data-split on veth" 1 'setting TCP data split is not supported' \
	env XSK_BUILD="$B" "$W" -G vr0 tcp-data-split on
expect "wrapper -G with a bad value" 2 "rx takes a number" \
	env XSK_BUILD="$B" "$W" -G vr0 rx 5x tcp-data-split on
expect "wrapper without ethtool_rings" 1 "no /nonexistent/ethtool_rings: run 'make'" \
	env ETHTOOL_RINGS=/nonexistent/ethtool_rings "$W" --set-ring vr0 tcp-data-split off
# What the wrapper leaves alone is the real ethtool's.
drv=$(ip netns exec $NS env XSK_BUILD="$B" "$W" -i vr0 2>&1 | sed -n 's/^driver: //p')
check "wrapper -i passes to ethtool: driver" "$drv" veth
real=$(ip netns exec $NS ethtool -g vr0 2>&1; echo "rc=$?")
wrapped=$(ip netns exec $NS env XSK_BUILD="$B" "$W" -g vr0 2>&1; echo "rc=$?")
check "wrapper -g on veth is ethtool's" "$wrapped" "$real"
checks_done ethtool_rings
