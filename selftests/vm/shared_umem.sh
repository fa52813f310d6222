#!/bin/bash
# One dmabuf UMEM shared by sockets on two queues (XDP_SHARED_UMEM), twice:
# on the raw UAPI (dmabuf_shared.c, with the binds the kernel must refuse)
# and through the library (lib_shared.c). veth with 2 queues per end; 16
# flows (source ports) spread over the TX queues by hash and land on the
# matching RX queues; every datagram checked byte for byte. With
# XSK_LINK=nsim (TESTS: @nsim) netdevsim with 2 queues: the receiving
# device spreads the flows by RSS (Toeplitz, the table spread evenly).
. "$XSK_TOP/selftests/lib/link.sh"
set -u
XSK=$XSK_BUILD/user/xsk-devmem
PORT=4791 PER=100 FLOWS=16 log=/tmp/shared_umem.$$.log pin=/sys/fs/bpf/xskd$$-sh
fails=0
link_pair 1500 2 || exit 1
in_rx "$XSK" steer -p "$pin" load $IF_RX -m native >/dev/null || exit 1
in_rx "$XSK" steer -p "$pin" rule add dst $ADDR_RX/32 proto udp dport $PORT \
	action redirect split l4 >/dev/null || exit 1
for prog in dmabuf_shared lib_shared; do
	XSK_STEER_PIN_DIR=$pin in_rx "$XSK_BUILD/selftests/vm/$prog" $IF_RX $PORT \
		$((PER * FLOWS)) 120 >"$log" 2>&1 &
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
