#!/bin/bash
# The regression tests of the review of the dmabuf UMEM (dmabuf_edge.c says
# what each case proves), each on a fresh veth pair at MTU 9000 (netdevsim
# pair with XSK_LINK=nsim, TESTS' @nsim; the device goes by del_device):
#
#   host-dup          a host fill ring naming one frame twice
#   split-leak        a split point must not outlive its program run
#   dup-chunk         a chunk posted twice is not filled twice in one poll
#   fill-bound        bounded work per packet on a hostile dmabuf fill ring
#   fill-bound-plain  ... and on the fill ring of a plain AF_XDP socket
#   poll-err          poll() reports POLLERR when the device goes away
#   poll-err-plain    ... on a plain AF_XDP socket too
#   shared-pool       two sockets on one buffer pool at device removal
#
# DMABUF_EDGE_CASES picks some (separated by +, which vm-run -e passes; default: all).
. "$XSK_TOP/selftests/lib/link.sh"
set -u
EDGE=$XSK_BUILD/selftests/vm/dmabuf_edge
CASES=${DMABUF_EDGE_CASES:-host-dup+split-leak+dup-chunk+fill-bound+fill-bound-plain+poll-err+poll-err-plain+shared-pool}
CASES=${CASES//+/ }
fails=0

for c in $CASES; do
	log=/tmp/dmabuf_edge.$c.log
	other=()
	link_pair 9000 || { echo "FAIL $c: set-up"; fails=$((fails + 1)); continue; }
	[ "$XSK_LINK" != veth ] && export DMABUF_EDGE_DELETE="echo $NSIM_ID_RX > $NSIM_BUS/del_device"
	if [ "$c" = split-leak ]; then
		# a second device for the socket that the program must not reach
		in_rx ip link add xdx0 type veth peer name xdx1 &&
			in_rx ip link set xdx0 up && in_rx ip link set xdx1 up || exit 1
		other=(xdx0)
	fi
	if in_rx timeout -k 5 240 "$EDGE" "$c" $IF_RX $NS_TX $ADDR_RX "${other[@]}" >"$log" 2>&1; then
		echo "ok   $c"
	else
		echo "FAIL $c"; fails=$((fails + 1))
	fi
	sed 's/^/     /' "$log"
	link_cleanup
done
[ $fails = 0 ]
