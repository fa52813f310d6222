#!/bin/bash
# Split receive into a udmabuf (copy mode): steer.bpf.o (in skb mode behind
# libxdp's dispatcher, loaded by xdp-loader; in native
# mode by xsk-devmem steer load, alone, since libxdp 1.3.1's dispatcher is
# not multi-buffer and veth refuses it at MTU 9000), a prefix rule steering
# UDP port 4791 to the socket with a split policy, and dmabuf_rx checking that
# headers land in the host UMEM and payloads in the udmabuf, byte for
# byte, at the split the policy chose; IPv4 and IPv6, native and skb XDP,
# datagrams from 64-byte frames to 9000-byte frames (MTU 9000,
# multi-buffer). With XSK_LINK=nsim (TESTS: @nsim) the native cases over
# netdevsim, each datagram counted through its native XDP.
. "$XSK_TOP/selftests/lib/link.sh"
set -u
N=${DMABUF_RX_COUNT:-800}
PORT=4791
PIN=/sys/fs/bpf/xsk-devmem
CLI=$XSK_BUILD/user/xsk-devmem
fails=0

# run MODE SPLIT DST SIZES [DMABUF_RX_OPTS...]
run() {
	local mode=$1 split=$2 dst=$3 sizes=$4; shift 4
	local log=/tmp/dmabuf_rx.$$.log what="$mode split $split to $dst sizes $sizes $*"
	link_mode_ok "$mode" || return
	link_pair 9000 || { echo "FAIL $what: set-up"; fails=$((fails + 1)); link_cleanup; return; }
	if [ "$mode" = skb ]; then
		in_rx xdp-loader load -m skb -p $PIN $IF_RX "$XSK_BUILD/bpf/steer.bpf.o"
	else
		in_rx "$CLI" steer load -m native $IF_RX
	fi &&
	in_rx "$CLI" steer rule add dst "$ADDR_RX/32" proto udp dport $PORT action redirect split "$split" &&
	in_rx "$CLI" steer rule add dst "$ADDR6_RX/128" proto udp dport $PORT action redirect split "$split" ||
		{ echo "FAIL $what: loading steer"; fails=$((fails + 1)); link_cleanup; return; }
	in_rx "$TOOLS/dmabuf_rx" -i $IF_RX -p $PORT -n "$N" --split "$split" -t 120 "$@" >"$log" 2>&1 &
	local rx=$!
	wait_line "$log" 'dmabuf_rx: ready' 30 && link_xdp_mark &&
		in_tx "$TOOLS/udp_send" -d "$dst" -p $PORT -n "$N" -l "$sizes" -b 16 -g 500 >>"$log" 2>&1
	if wait $rx && link_xdp_check "to port $PORT" "$N" >>"$log"; then
		echo "ok   $what"
		grep -E 'intact|kernel:' "$log" | sed 's/^/     /'
		grep netdevsim: "$log"
	else
		echo "FAIL $what"; sed 's/^/     /' "$log"; fails=$((fails + 1))
		in_rx "$CLI" steer stats | sed 's/^/     /'
	fi
	in_rx xdp-loader unload --all $IF_RX
	rm -rf $PIN
	link_cleanup
}

SIZES=22,100,1000,1472,3000,4000,8972
run native l4    "$ADDR_RX"  $SIZES
run native l4+16 "$ADDR_RX"  $SIZES
run native none  "$ADDR_RX"  22,1472,8972
run skb    l4    "$ADDR6_RX" 22,1000,1452,8952
run skb    l4+16 "$ADDR_RX"  $SIZES
run native l4    "$ADDR6_RX" 22,4000,8952 --chunk 16384
run native l4    "$ADDR_RX"  1472 --close-dmabuf
[ $fails = 0 ]
