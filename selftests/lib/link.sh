# shellcheck shell=bash
# The link a traffic test runs over, chosen in one place: the environment's
# XSK_LINK, "veth" (default: net.sh's veth pair), "nsim" (nsim.sh's
# netdevsim pair, the reference driver of patch 0008, native XDP on its
# page-pool receive path) or "nsim-split" (the same with header split on:
# XDP sees headers linear and the payload as frags). selftests/vm/TESTS
# runs a test over nsim when it is listed as vm/TEST@nsim (guest-init.sh
# sets XSK_LINK). Source it instead of net.sh:
#   . "$XSK_TOP/selftests/lib/link.sh"
# Everything of net.sh (in_tx, in_rx, addresses, wait_line, kill_tree) is
# there; with nsim, so is nsim.sh. On nsim, a kernel without netdevsim
# makes the sourcing test skip (exit 4).
#
#   link_pair [MTU [QUEUES]]
#                       net_pair MTU QUEUES, or nsim_pair QUEUES MTU:
#                       namespaces, $IF_TX <-> $IF_RX, addresses,
#                       neighbours; QUEUES defaults to 1 on both links
#                       (so every datagram reaches queue 0 on nsim as on
#                       veth). Torn down on exit (link_cleanup).
#   link_cleanup        net_cleanup or nsim_cleanup: XDP unloaded from
#                       $IF_RX, the devices and namespaces deleted.
#   link_del            delete the receiving device under its sockets
#                       (veth: the pair, from the TX end; nsim: the RX
#                       device, del_device).
#   link_readd [MTU [QUEUES]]
#                       re-create the receiving device after link_del, as
#                       link_pair made it (veth: the pair; nsim: the RX
#                       device, header split on for nsim-split).
#   link_mode_ok MODE   0 if XDP mode MODE (native, skb) is tested on this
#                       link; otherwise print why not and return 1. The
#                       nsim runs are there for the driver's native XDP:
#                       generic (skb) XDP is the same core code on any
#                       device, and veth covers it.
#   $LINK_NAME          "veth" or "netdevsim" (...), for messages.
XSK_LINK=${XSK_LINK:-veth}
case $XSK_LINK in
veth)
	# shellcheck source=selftests/lib/net.sh
	. "$XSK_TOP/selftests/lib/net.sh"
	LINK_NAME=veth
	link_pair() { net_pair "${1:-1500}" "${2:-1}"; }
	link_cleanup() { net_cleanup; }
	link_del() { in_tx ip link del $IF_TX; }
	# (neighbour entries may be refused as existing: judged by the device)
	link_readd() {
		net_veth "${1:-1500}" "${2:-1}"
		in_rx ip link show dev $IF_RX | grep -q ',UP'
	}
	;;
nsim|nsim-split)
	# shellcheck source=selftests/lib/nsim.sh
	. "$XSK_TOP/selftests/lib/nsim.sh"
	LINK_NAME=netdevsim
	[ "$XSK_LINK" = nsim-split ] && LINK_NAME="netdevsim (tcp-data-split on)"
	[ -d $NSIM_BUS ] || modprobe netdevsim 2>/dev/null
	[ -d $NSIM_BUS ] || { echo "skip: XSK_LINK=$XSK_LINK, but this kernel has no netdevsim"; exit 4; }
	link_pair() {
		nsim_pair "${2:-1}" "${1:-1500}" && link_split
	}
	link_readd() {
		nsim_readd_rx "${2:-1}" "${1:-1500}" && link_split
	}
	# nsim-split: header split on the receiving device
	link_split() {
		local tds
		[ "$XSK_LINK" = nsim-split ] || return 0
		PATH=$NSIM_WRAP:$PATH in_rx ethtool -G $IF_RX tcp-data-split on || return 1
		tds=$(PATH=$NSIM_WRAP:$PATH in_rx ethtool -g $IF_RX |
			awk 'sub(/^TCP data split:[[:space:]]*/, "")')
		[ "$tds" = on ] || { echo "link: tcp-data-split is '$tds', not on" >&2; return 1; }
	}
	link_cleanup() { nsim_cleanup; }
	link_del() { nsim_del "$NSIM_ID_RX"; }
	;;
*)
	echo "XSK_LINK=$XSK_LINK: veth, nsim or nsim-split" >&2
	exit 1
	;;
esac

link_mode_ok() {
	[ "$XSK_LINK" != veth ] && [ "$1" != native ] &&
		{ echo "skip $1 XDP on $LINK_NAME (native XDP only there; veth runs it)"; return 1; }
	return 0
}

# link_xdp_mark / link_xdp_check WHAT WANT: on nsim, the frames the
# receiving device's native XDP redirected (debugfs hds/queues,
# xdp_redirect, all queues) since link_xdp_mark must be exactly WANT:
# proof that the traffic took the driver's XDP path. Prints the count and
# returns 1 on a mismatch. veth has no such counter: nothing to check.
link_xdp_mark() {
	[ "$XSK_LINK" != veth ] || return 0
	nsim_snap rx > /tmp/link_xdp.$$
}
link_xdp_check() {
	local got
	[ "$XSK_LINK" != veth ] || return 0
	got=$(nsim_delta rx /tmp/link_xdp.$$ | nsim_field /dev/stdin all xdp_redirect)
	if [ "$got" = "$2" ]; then
		echo "     netdevsim: $got frames redirected by native XDP ($1)"
		return 0
	fi
	echo "     netdevsim: ${got:-?} frames redirected by native XDP ($1), want $2"
	return 1
}

# areas_gone [SECONDS]: no dmabuf area is left (debugfs xsk_dmabuf/areas)
# once the sockets' UMEMs are gone and the queues' page pools have let go
# of their chunks; waits up to SECONDS (10), and lists what is left if not.
XSK_AREAS=/sys/kernel/debug/xsk_dmabuf/areas
areas_gone() {
	local i
	for ((i = 0; i < ${1:-10} * 5; i++)); do
		[ -s $XSK_AREAS ] || return 0
		sleep 0.2
	done
	echo "areas left:"; sed 's/^/     /' $XSK_AREAS
	return 1
}
