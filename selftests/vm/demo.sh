#!/bin/bash
# The demo's guest half (scripts/demo.sh boots it; the test suite runs it
# with fewer datagrams and relies on its exit status): two namespaces
# joined by veth, an AF_XDP socket receiving a steered UDP flow, every
# datagram checked byte for byte, other traffic still reaching the stack,
# and a summary table per mode.
#
# Today this is the baseline every later feature is measured against:
# plain AF_XDP, host-memory UMEM, copy mode.
. "$XSK_TOP/selftests/lib/net.sh"
set -u
N=${DEMO_COUNT:-2000}
PORT=4791
rows=() fails=0

say() { printf '\n== %s\n' "$*"; }

say "xsk-devmem demo on $(uname -r): $(zcat /proc/config.gz | grep -c '^CONFIG_XDP_SOCKETS_DMABUF=y') patched kernel, $(nproc) CPUs"
dmesg | grep xsk_dmabuf | sed 's/^/   /'

# demo_case MODE MTU SIZES [XSK_RX_OPTS...]
demo_case() {
	local mode=$1 mtu=$2 sizes=$3; shift 3
	local log=/tmp/demo-rx.log tx_drop rc
	say "$mode XDP, MTU $mtu, datagram payloads of $sizes bytes"
	net_pair "$mtu" || { fails=$((fails + 1)); return; }
	echo "   $NS_TX/$IF_TX ($ADDR_TX)  <== veth ==>  $NS_RX/$IF_RX ($ADDR_RX)"
	in_rx "$TOOLS/xsk_rx" -i $IF_RX -p $PORT -n "$N" -m "$mode" -t 120 "$@" >"$log" 2>&1 &
	local rx=$!
	wait_line "$log" 'xsk_rx: ready' 30 || { fails=$((fails + 1)); net_cleanup; return; }
	sed 's/^/   /' "$log"
	# Other traffic must still reach the stack: a ping through the same
	# XDP program.
	echo "   other traffic: $(in_tx ping -c 3 -i 0.2 -q $ADDR_RX | grep -o '[0-9]* received') pings"
	echo "   sending $N datagrams to UDP port $PORT ..."
	in_tx "$TOOLS/udp_send" -d $ADDR_RX -p $PORT -n "$N" -l "$sizes" | sed 's/^/   /'
	wait $rx; rc=$?
	tail -n +2 "$log" | sed 's/^/   /'
	tx_drop=$(in_tx ip -s -j link show dev $IF_TX | grep -o '"tx":{[^}]*' | grep -o '"dropped":[0-9]*' | cut -d: -f2)
	local rate; rate=$(grep -m1 -o '[0-9]* datagrams/s' "$log" | cut -d' ' -f1)
	rows+=("$(printf '%-7s %5s  %-22s %8s %8s %10s %7s  %s' "$mode" "$mtu" "$sizes" \
		"$N" "$(grep -m1 -o '^xsk_rx: [0-9]*/' "$log" | tr -dc 0-9)" \
		"${rate:--}" "${tx_drop:-0}" "$([ $rc = 0 ] && echo ok || echo FAILED)")")
	[ $rc = 0 ] || fails=$((fails + 1))
	net_cleanup
}

demo_case native 1500 64,512,1472
demo_case skb 1500 64,512,1472
demo_case native 9000 64,1472,8972 --sg

say "summary: plain AF_XDP, copy mode, host-memory UMEM (TCG-emulated guest: rates are not hardware rates)"
printf '   %-7s %5s  %-22s %8s %8s %10s %7s  %s\n' mode MTU payload sent intact "dgram/s" tx-drop result
for r in "${rows[@]}"; do echo "   $r"; done
[ $fails = 0 ]
