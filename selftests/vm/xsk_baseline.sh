#!/bin/bash
# Baseline: a plain AF_XDP socket (host UMEM, copy mode) receives UDP
# datagrams sent from another namespace over veth, each checked byte for
# byte, over IPv4 and IPv6, with native and generic (skb) XDP, in single
# frames (MTU 1500) and multi-buffer (MTU 9000, XDP_USE_SG).
# Everything the dmabuf UMEM does is compared against this. With
# XSK_LINK=nsim (TESTS: @nsim) the same over netdevsim, native XDP only.
. "$XSK_TOP/selftests/lib/link.sh"
set -u

N=${XSK_BASELINE_COUNT:-2000}
PORT=4791
fails=0

# run MODE MTU DST SIZES [RX_OPTS...]
run() {
	local mode=$1 mtu=$2 dst=$3 sizes=$4; shift 4
	local log=/tmp/xsk_rx.$$.log what="$mode mtu $mtu to $dst sizes $sizes $*"
	link_mode_ok "$mode" || return
	if ! link_pair "$mtu"; then
		echo "FAIL $what: setup"; fails=$((fails + 1)); link_cleanup; return
	fi
	in_rx "$TOOLS/xsk_rx" -i $IF_RX -p $PORT -n "$N" -m "$mode" -t 120 "$@" >"$log" 2>&1 &
	local rx=$!
	if wait_line "$log" 'xsk_rx: ready' 30; then
		link_xdp_mark
		in_tx "$TOOLS/udp_send" -d "$dst" -p $PORT -n "$N" -l "$sizes" >>"$log" 2>&1
	fi
	if wait $rx && link_xdp_check "to port $PORT" "$N" >>"$log"; then
		echo "ok   $what: $(grep -m1 intact "$log")"
		grep netdevsim: "$log"
	else
		echo "FAIL $what"; sed 's/^/     /' "$log"; fails=$((fails + 1))
		in_tx ip -s link show dev $IF_TX | sed 's/^/     tx: /'
		in_rx ip -s link show dev $IF_RX | sed 's/^/     rx: /'
	fi
	link_cleanup
}

run native 1500 "$ADDR_RX" 22,100,1000,1472
run skb    1500 "$ADDR_RX" 22,1472
run native 1500 "$ADDR6_RX" 22,1452
run native 9000 "$ADDR_RX" 22,1472,4000,8972 --sg
run skb    9000 "$ADDR6_RX" 3000,8952 --sg

[ $fails = 0 ]
