#!/bin/bash
# One dmabuf UMEM shared by sockets on two queues (XDP_SHARED_UMEM), twice:
# on the raw UAPI (dmabuf_shared.c, with the binds the kernel must refuse)
# and through the library (lib_shared.c). veth with 2 queues per end; 16
# flows (source ports) spread over the TX queues by hash and land on the
# matching RX queues; every datagram checked byte for byte. With
# XSK_LINK=nsim (TESTS: @nsim) netdevsim with 2 queues: the receiving
# device steers the flows by ntuple rules (ethtool -N), even source ports
# to queue 0, odd ones to queue 1. With XSK_LINK=nsim-split (@nsim-split)
# the library's sockets bind in zero copy: one area, a provider instance
# on each queue, every packet in place and no payload byte copied.
. "$XSK_TOP/selftests/lib/link.sh"
set -u
XSK=$XSK_BUILD/user/xsk-devmem
PORT=4791 PER=100 FLOWS=16 log=/tmp/shared_umem.$$.log pin=/sys/fs/bpf/xskd$$-sh
fails=0 lib_mode=auto
[ "$XSK_LINK" = nsim-split ] && lib_mode=zc
link_pair 1500 2 || exit 1
if [ "$XSK_LINK" != veth ]; then
	in_rx ethtool -K $IF_RX ntuple on || exit 1
	for ((f = 0; f < FLOWS; f++)); do
		in_rx ethtool -N $IF_RX flow-type udp4 dst-ip $ADDR_RX src-port $((20000 + f)) \
			dst-port $PORT action $((f % 2)) >/dev/null
	done
	# Debian's ethtool 6.1 exits 0 when the kernel refuses a rule: count them.
	rules=$(in_rx ethtool -n $IF_RX | sed -n 's/^Total \([0-9]*\) rules$/\1/p')
	[ "$rules" = $FLOWS ] || { echo "FAIL ntuple rules: ${rules:-none}, want $FLOWS"; exit 1; }
fi
in_rx "$XSK" steer -p "$pin" load $IF_RX -m native >/dev/null || exit 1
in_rx "$XSK" steer -p "$pin" rule add dst $ADDR_RX/32 proto udp dport $PORT \
	action redirect split l4 >/dev/null || exit 1
for prog in dmabuf_shared lib_shared; do
	# shellcheck disable=SC2046
	XSK_STEER_PIN_DIR=$pin in_rx "$XSK_BUILD/selftests/vm/$prog" $IF_RX $PORT \
		$((PER * FLOWS)) 120 $([ $prog = lib_shared ] && echo $lib_mode) >"$log" 2>&1 &
	rx=$!
	if wait_line "$log" "$prog: ready" 30; then
		for ((f = 0; f < FLOWS; f++)); do
			in_tx "$TOOLS/udp_send" -d $ADDR_RX -p $PORT -s $((20000 + f)) -n $PER \
				--seq-base $((f * PER)) -l 64,1000,1472 >/dev/null
		done
	fi
	wait $rx && echo "ok   $prog" || { echo "FAIL $prog"; fails=$((fails + 1)); }
	sed 's/^/     /' "$log"
done
in_rx "$XSK" steer -p "$pin" unload $IF_RX >/dev/null 2>&1
[ $fails = 0 ]
