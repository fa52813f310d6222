#!/bin/bash
# A socket with a TX ring and no RX ring in the XSKMAP (xsk_txonly.c):
# datagrams steered to it are dropped and counted in its rx_dropped, for a
# plain UMEM and a dmabuf UMEM, and the kernel lives (before patch 3: a
# NULL dereference in softirq, a panic). Over veth and netdevsim (TESTS).
. "$XSK_TOP/selftests/lib/link.sh"
set -u
N=50 fails=0
link_pair 9000 1 || exit 1
trap 'link_cleanup; rm -rf /sys/fs/bpf/xsk-devmem' EXIT
in_rx "$XSK_BUILD/user/xsk-devmem" steer load -m native $IF_RX >/dev/null &&
in_rx "$XSK_BUILD/user/xsk-devmem" steer rule add dst "$ADDR_RX/32" proto udp dport 4791 \
	action redirect split l4 >/dev/null || exit 1
for umem in plain dmabuf; do
	log=/tmp/xsk_txonly.$umem.log
	in_rx "$XSK_BUILD/selftests/vm/xsk_txonly" $IF_RX $umem $N >$log 2>&1 &
	rx=$!
	wait_line $log 'xsk_txonly: ready' 30 &&
		in_tx "$TOOLS/udp_send" -d $ADDR_RX -p 4791 -n $N -l 22,1472,8972 -b 4 -g 1000 >/dev/null
	if wait $rx; then
		echo "ok   $(tail -n 1 $log)"
	else
		echo "FAIL $umem"; sed 's/^/     /' $log; fails=$((fails + 1))
	fi
done
[ $fails = 0 ] || { echo "FAIL xsk_txonly"; exit 1; }
echo "PASS xsk_txonly"
