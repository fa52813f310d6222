# Shell helpers for tests that need two hosts: network namespaces joined
# by a veth pair, with addresses from the documentation ranges (RFC 5737,
# RFC 3849) so that no test ever targets a real network. Source it:
#   . "$XSK_TOP/selftests/lib/net.sh"
#
#   net_pair [MTU [QUEUES]]
#                       namespaces $NS_TX and $NS_RX, veth $IF_TX <-> $IF_RX,
#                       $ADDR_TX/$ADDR_RX (IPv4), $ADDR6_TX/$ADDR6_RX (IPv6),
#                       static neighbours both ways; torn down on exit
#                       (net_cleanup, which unloads XDP from $IF_RX first).
#   net_veth MTU QUEUES   the veth pair alone (net_pair without the
#                       namespaces): re-creates it after link_del.
#   net_cleanup [CMD...]  unload XDP from $IF_RX, run CMD (nsim.sh deletes
#                       its devices there), delete the namespaces, drop
#                       libxdp's pins of interfaces that are gone.
#                       QUEUES (default 1) is the number of queues of each
#                       veth end: a datagram arrives on the RX queue that
#                       matches the sender's TX queue.
#   in_tx CMD... / in_rx CMD...   run a command inside a namespace; unlike
#                       `ip netns exec` this keeps the host's /sys (and with
#                       it bpffs), which libxdp needs.
#   wait_line FILE PATTERN [TIMEOUT_S]   wait until FILE has a matching line.
#   kill_tree PID       SIGKILL a background job and its children: `in_rx CMD &`
#                       runs CMD as a child of the subshell whose PID $! is.

XSK_BUILD=${XSK_BUILD:-$XSK_TOP/build}
TOOLS=$XSK_BUILD/selftests/tools
NS_TX=xsktx$$ NS_RX=xskrx$$
IF_TX=veth_tx IF_RX=veth_rx
ADDR_TX=192.0.2.1 ADDR_RX=192.0.2.2
ADDR6_TX=2001:db8::1 ADDR6_RX=2001:db8::2

in_tx() { nsenter --net=/var/run/netns/$NS_TX "$@"; }
in_rx() { nsenter --net=/var/run/netns/$NS_RX "$@"; }

net_cleanup() {
	# A program behind libxdp's dispatcher stays pinned on the bpffs, and
	# with it steer's maps, when its interface goes without an unload:
	# unload first, as a user would, and drop the pins of dispatchers whose
	# interface is gone already (a test that deleted it: `xdp-loader clean`).
	[ -e /var/run/netns/$NS_RX ] && in_rx xdp-loader unload --all $IF_RX >/dev/null 2>&1
	[ $# -gt 0 ] && "$@"
	ip netns del $NS_TX 2>/dev/null
	ip netns del $NS_RX 2>/dev/null
	xdp-loader clean >/dev/null 2>&1
	return 0
}

net_pair() {
	local mtu=${1:-1500} q=${2:-1}
	trap net_cleanup EXIT
	ip netns add $NS_TX && ip netns add $NS_RX || return 1
	net_veth "$mtu" "$q"
}

# net_veth MTU QUEUES: the veth pair between the namespaces, up, with
# addresses and neighbours (also to re-create it after link_del).
net_veth() {
	ip link add $IF_TX netns $NS_TX numtxqueues "$2" numrxqueues "$2" \
		type veth peer name $IF_RX netns $NS_RX \
		numtxqueues "$2" numrxqueues "$2" || return 1
	net_addrs "$1"
}

# Bring up $IF_TX and $IF_RX (already in their namespaces) at MTU with the
# pair's addresses and static neighbours both ways.
net_addrs() {
	local mtu=$1 mac_tx mac_rx
	in_tx ip link set lo up
	in_rx ip link set lo up
	in_tx ip link set $IF_TX mtu "$mtu" up && in_rx ip link set $IF_RX mtu "$mtu" up || return 1
	in_tx ip addr add $ADDR_TX/24 dev $IF_TX
	in_rx ip addr add $ADDR_RX/24 dev $IF_RX
	in_tx ip -6 addr add $ADDR6_TX/64 dev $IF_TX nodad
	in_rx ip -6 addr add $ADDR6_RX/64 dev $IF_RX nodad
	mac_tx=$(in_tx ip -br link show dev $IF_TX | awk '{ print $3 }')
	mac_rx=$(in_rx ip -br link show dev $IF_RX | awk '{ print $3 }')
	in_tx ip neigh add $ADDR_RX lladdr "$mac_rx" dev $IF_TX nud permanent
	in_tx ip neigh add $ADDR6_RX lladdr "$mac_rx" dev $IF_TX nud permanent
	in_rx ip neigh add $ADDR_TX lladdr "$mac_tx" dev $IF_RX nud permanent
	in_rx ip neigh add $ADDR6_TX lladdr "$mac_tx" dev $IF_RX nud permanent
}

kill_tree() {
	pkill -9 -P "$1" 2>/dev/null
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

wait_line() {
	local file=$1 pat=$2 t=${3:-30} i
	for ((i = 0; i < t * 10; i++)); do
		grep -q -- "$pat" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out after ${t}s waiting for '$pat' in $file" >&2
	return 1
}
