#!/bin/bash
# The ownership rule of the dmabuf UMEM under valid chunk offsets that user
# space does not own (dmabuf_owner.c): two sockets sharing one UMEM on the
# two queues of a veth, each fed by a sender pinned to the CPU that XPS
# maps to its queue (netdevsim with XSK_LINK=nsim, TESTS' @nsim: an ntuple
# rule per sender's source port picks the queue), post duplicates, chunks the kernel holds, chunks held
# on the RX ring and the same chunks on both rings, by the hundred
# thousand, mixed with ordinary lending. Once the kernel has read
# DMABUF_OWNER_TARGET (200000) of them, the device is deleted under
# traffic; every rejection must be counted exactly, no chunk delivered
# more often than it was posted, every datagram intact (or overwritten by
# a later delivery of a chunk lent twice), every chunk user space's again.
. "$XSK_TOP/selftests/lib/link.sh"
set -u
XSK=$XSK_BUILD/user/xsk-devmem
TARGET=${DMABUF_OWNER_TARGET:-200000}
PORT=4791 PER=8000000 log=/tmp/dmabuf_owner.$$.log pin=/sys/fs/bpf/xskd$$-own
tx=()
link_pair 9000 2 || exit 1
trap 'for p in "${tx[@]}"; do kill_tree $p; done; link_cleanup; rm -rf $pin' EXIT
if [ "$XSK_LINK" != veth ]; then
	# Source port 20000 + q to RX queue q (Debian's ethtool 6.1 exits 0
	# when the kernel refuses a rule: count them).
	in_rx ethtool -K $IF_RX ntuple on || exit 1
	for q in 0 1; do
		in_rx ethtool -N $IF_RX flow-type udp4 src-port $((20000 + q)) action $q
	done
	rules=$(in_rx ethtool -n $IF_RX | sed -n 's/^Total \([0-9]*\) rules$/\1/p')
	[ "$rules" = 2 ] || { echo "FAIL ntuple rules: ${rules:-none}, want 2"; exit 1; }
else
	# CPU q sends on TX queue q, which feeds RX queue q of the peer.
	ip netns exec $NS_TX sh -c "echo 1 >/sys/class/net/$IF_TX/queues/tx-0/xps_cpus &&
		echo 2 >/sys/class/net/$IF_TX/queues/tx-1/xps_cpus" || exit 1
fi
in_rx "$XSK" steer -p "$pin" load $IF_RX -m native >/dev/null || exit 1
# l4+12: each datagram's pattern header (seq, length) stays in host memory.
in_rx "$XSK" steer -p "$pin" rule add dst $ADDR_RX/32 proto udp dport $PORT \
	action redirect split l4+12 >/dev/null || exit 1
XSK_STEER_PIN_DIR=$pin in_rx "$XSK_BUILD/selftests/vm/dmabuf_owner" $IF_RX $PORT \
	--target "$TARGET" --count $((2 * PER)) -t 260 >"$log" 2>&1 &
rx=$!
start=$SECONDS
if wait_line "$log" 'dmabuf_owner: ready' 30; then
	for q in 0 1; do
		in_tx taskset -c $q "$TOOLS/udp_send" -d $ADDR_RX -p $PORT -s $((20000 + q)) \
			-n $PER --seq-base $((q * PER)) -l 8972,8400,1472,8700,6000 -b 8 -g 300 \
			>/dev/null 2>&1 &
		tx+=($!)
	done
	# then host chunks run out: the pools keep the payload chunks of the
	# packets they drop, to be returned on the completion rings (how long
	# that takes depends on the kernel's speed: wait until both queues
	# dropped a packet for it)
	wait_line "$log" 'dmabuf_owner: target reached' 240 &&
		wait_line "$log" 'dmabuf_owner: both queues out of host chunks' 120 &&
		sleep 1
fi
link_del	# under traffic
wait $rx; rc=$?
cat "$log"
echo "dmabuf_owner: exit $rc after $((SECONDS - start)) s"
[ $rc = 0 ]
