# Shell helpers for tests on the reference driver: netdevsim built with
# CONFIG_NETDEVSIM_HDS (kernel patch 0008, docs/netdevsim-hds.md), two
# devices of one port each, in two network namespaces, linked to each other
# like a cable. Builds on net.sh (namespaces, addresses, in_tx/in_rx,
# wait_line, kill_tree). Source it:
#   . "$XSK_TOP/selftests/lib/nsim.sh"
#
#   nsim_pair [QUEUES [MTU]]
#                       netdevsim devices $NSIM_ID_TX and $NSIM_ID_RX with
#                       QUEUES (default 4) queues each, their ports renamed
#                       $IF_TX (nsimtx) in $NS_TX and $IF_RX (nsimrx) in
#                       $NS_RX, linked (/sys/bus/netdevsim/link_device), up,
#                       MTU (default 1500), net.sh's addresses and static
#                       neighbours, IPv6 without DAD, router solicitations
#                       or accepted RAs (a quiet link: see nsim_settle).
#                       Torn down on exit (nsim_cleanup). Returns 4 when the
#                       kernel has no netdevsim or no CONFIG_NETDEVSIM_HDS
#                       (tests exit 4: skip), 1 on any other failure.
#   nsim_readd_rx [QUEUES [MTU]]
#                       re-create the receiving device after
#                       nsim_del $NSIM_ID_RX: same id, name, link, addresses.
#   nsim_cleanup        net_cleanup with the devices deleted in between:
#                       XDP unloaded from $IF_RX first, the namespaces and
#                       libxdp's pins of gone interfaces after.
#   nsim_hds_dir tx|rx  debugfs directory ports/0/hds of that side's port.
#   nsim_snap tx|rx     print the port's per-queue counters (debugfs
#                       hds/queues: a header line of column names, then
#                       one line per RX queue), for nsim_delta.
#   nsim_delta tx|rx SNAP
#                       the counters now minus those in SNAP (a file that
#                       nsim_snap wrote), in the same format.
#   nsim_field TABLE QUEUE NAME
#                       one counter from a nsim_snap/nsim_delta TABLE (a
#                       file): NAME is a column (packets bytes split drops
#                       fifo_drops alloc_fail dma_faults dma_bytes dma_ns
#                       xdp_drop xdp_tx xdp_redirect unreadable); QUEUE a number, or
#                       "all" for the sum over the queues.
#   nsim_steer_drops tx|rx  frames an ntuple rule with action -1 dropped.
#   nsim_settle [QUIET_S [MAX_S]]
#                       wait until neither port's counters change for QUIET_S
#                       seconds (default 2; MLD reports follow link-up for a
#                       few seconds), at most MAX_S (default 30); 1 if the
#                       link never went quiet.
#   nsim_ynl tx|rx FAMILY ARGS...
#                       the tree's ynl CLI (a copy made by `make ncdevmem`)
#                       in that side's namespace, FAMILY's spec (netdev,
#                       ethtool), JSON output: e.g.
#                       nsim_ynl rx netdev --dump queue-get
#   nsim_defer_flush    run the receive softirq once on every CPU (a ping
#                       of the loopback address pinned to each): skbs that
#                       a socket read on another CPU than the one that
#                       received them wait on that CPU's defer list
#                       (skb_attempt_defer_free(), up to 64) until its next
#                       receive softirq, and with them their page-pool
#                       buffers. Call it before judging pool inflight.
#   $NSIM_WRAP          the directory of the ethtool wrapper (and sudo shim)
#                       for tcp-data-split: tests put it first on PATH.
# shellcheck source=selftests/lib/net.sh
. "$XSK_TOP/selftests/lib/net.sh"

NSIM_ID_TX=$((10000 + ($$ % 10000) * 2))
NSIM_ID_RX=$((NSIM_ID_TX + 1))
NSIM_BUS=/sys/bus/netdevsim
NSIM_DFS=/sys/kernel/debug/netdevsim
export NSIM_WRAP=$XSK_TOP/selftests/lib/ethtool-nl
NSIM_YNL=${ETHTOOL_YNL_DIR:-$XSK_BUILD/ncdevmem/ynl}

# nsim_del [ID...]: delete these devices (default both) if they exist.
nsim_del() {
	local id
	[ $# -gt 0 ] || set -- $NSIM_ID_TX $NSIM_ID_RX
	for id in "$@"; do
		[ -e "$NSIM_BUS/devices/netdevsim$id" ] && echo "$id" > $NSIM_BUS/del_device
	done
	return 0
}

nsim_cleanup() { net_cleanup nsim_del; }

nsim_hds_dir() {
	case "$1" in
	tx) echo $NSIM_DFS/netdevsim$NSIM_ID_TX/ports/0/hds ;;
	rx) echo $NSIM_DFS/netdevsim$NSIM_ID_RX/ports/0/hds ;;
	*) echo "nsim_hds_dir: tx or rx, not '$1'" >&2; return 1 ;;
	esac
}

# nsim_new ID QUEUES: create device ID, print the name of its port's netdev.
nsim_new() {
	local id=$1 q=$2 i dev
	echo "$id 1 $q" > $NSIM_BUS/new_device || return 1
	for ((i = 0; i < 50; i++)); do
		for dev in "$NSIM_BUS/devices/netdevsim$id"/net/*; do
			[ -e "$dev" ] && { basename "$dev"; return 0; }
		done
		sleep 0.1
	done
	echo "nsim: device $id has no netdev" >&2
	return 1
}

# The interface index of $2 in namespace side $1 (tx|rx).
nsim_ifindex() {
	"in_$1" ip -o link show dev "$2" | awk -F': ' '{ print $1; exit }'
}

nsim_pair() {
	local q=${1:-4} mtu=${2:-1500} dev_tx dev_rx ns k
	IF_TX=nsimtx IF_RX=nsimrx
	trap nsim_cleanup EXIT
	if [ ! -d $NSIM_BUS ]; then
		modprobe netdevsim 2>/dev/null
		[ -d $NSIM_BUS ] || { echo "skip: this kernel has no netdevsim"; return 4; }
	fi
	[ -d /sys/kernel/debug/netdevsim ] || mountpoint -q /sys/kernel/debug ||
		mount -t debugfs debugfs /sys/kernel/debug
	ip netns add $NS_TX && ip netns add $NS_RX || return 1
	# Quiet links: settings new devices in a namespace take over.
	for ns in $NS_TX $NS_RX; do
		for k in accept_dad accept_ra router_solicitations; do
			nsenter --net="/var/run/netns/$ns" \
				sysctl -q -w "net.ipv6.conf.default.$k=0" || return 1
		done
	done
	dev_tx=$(nsim_new $NSIM_ID_TX "$q") || return 1
	if [ ! -d "$(nsim_hds_dir tx)" ]; then
		echo "skip: netdevsim without CONFIG_NETDEVSIM_HDS (no $(nsim_hds_dir tx))"
		return 4
	fi
	dev_rx=$(nsim_new $NSIM_ID_RX "$q") || return 1
	ip link set "$dev_tx" netns $NS_TX && ip link set "$dev_rx" netns $NS_RX || return 1
	in_tx ip link set "$dev_tx" name $IF_TX && in_rx ip link set "$dev_rx" name $IF_RX || return 1

	nsim_link "$mtu"
}

# nsim_link MTU: link $IF_TX and $IF_RX (in their namespaces), bring them
# up with net.sh's addresses and neighbours, wait for carrier.
nsim_link() {
	local mtu=$1 fd_tx fd_rx rc
	# link_device takes "NETNSFD:IFINDEX NETNSFD:IFINDEX", the fds open in
	# the writing process (drivers/net/netdevsim/bus.c).
	exec {fd_tx}</var/run/netns/$NS_TX {fd_rx}</var/run/netns/$NS_RX
	rc=0
	echo "$fd_tx:$(nsim_ifindex tx $IF_TX) $fd_rx:$(nsim_ifindex rx $IF_RX)" \
		> $NSIM_BUS/link_device || rc=1
	exec {fd_tx}<&- {fd_rx}<&-
	[ $rc = 0 ] || { echo "nsim: link_device failed" >&2; return 1; }

	net_addrs "$mtu" || return 1
	# Carrier comes up once both ends of the link are up (LOWER_UP; the
	# operational state stays UNKNOWN: netdevsim sets no operstate).
	for ((rc = 0; rc < 50; rc++)); do
		in_rx ip link show dev $IF_RX | grep -q 'LOWER_UP' &&
			in_tx ip link show dev $IF_TX | grep -q 'LOWER_UP' && return 0
		sleep 0.1
	done
	echo "nsim: no carrier on the pair" >&2
	return 1
}

# nsim_readd_rx [QUEUES [MTU]]: re-create the receiving device after
# nsim_del $NSIM_ID_RX (link_del): the same id and name in $NS_RX, linked
# to $IF_TX again, up, addresses; the sender's neighbour entries point to
# its new MAC address.
nsim_readd_rx() {
	local q=${1:-4} mtu=${2:-1500} dev mac
	IF_TX=nsimtx IF_RX=nsimrx
	dev=$(nsim_new $NSIM_ID_RX "$q") || return 1
	ip link set "$dev" netns $NS_RX && in_rx ip link set "$dev" name $IF_RX || return 1
	nsim_link "$mtu" || return 1
	mac=$(in_rx ip -br link show dev $IF_RX | awk '{ print $3 }')
	in_tx ip neigh replace $ADDR_RX lladdr "$mac" dev $IF_TX nud permanent &&
		in_tx ip neigh replace $ADDR6_RX lladdr "$mac" dev $IF_TX nud permanent
}

nsim_snap() {
	local d
	d=$(nsim_hds_dir "$1") || return 1
	cat "$d/queues"
}

nsim_delta() {
	local now
	now=$(nsim_snap "$1") || return 1
	awk 'NR == FNR { if (FNR > 1) for (i = 2; i <= NF; i++) old[$1, i] = $i; next }
	     FNR == 1 { print; next }
	     { line = $1; for (i = 2; i <= NF; i++) line = line " " ($i - old[$1, i]); print line }' \
		"$2" - <<<"$now"
}

nsim_field() {
	awk -v q="$2" -v name="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
		!col { exit 2 }
		q == "all" || $1 == q { sum += $col; found = 1 }
		END { if (!col || !found) { print "nsim_field: no " name " of queue " q > "/dev/stderr"; exit 1 }
		      print sum }' "$1"
}

nsim_steer_drops() {
	local d
	d=$(nsim_hds_dir "$1") || return 1
	cat "$d/steer_drops"
}

nsim_settle() {
	local quiet=${1:-2} max=${2:-30} last="" now t still=0
	for ((t = 0; t < max; t++)); do
		now=$(nsim_snap tx; nsim_snap rx)
		if [ "$now" = "$last" ]; then
			still=$((still + 1))
			[ $still -ge "$quiet" ] && return 0
		else
			still=0
		fi
		last=$now
		sleep 1
	done
	echo "nsim: the link did not go quiet within ${max}s" >&2
	return 1
}

nsim_ynl() {
	local side=$1 family=$2
	shift 2
	[ -f "$NSIM_YNL/tools/net/ynl/cli.py" ] ||
		{ echo "nsim_ynl: no ynl CLI in $NSIM_YNL: run 'make ncdevmem'" >&2; return 1; }
	"in_$side" env PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$NSIM_YNL/tools/net/ynl/cli.py" \
		--spec "$NSIM_YNL/Documentation/netlink/specs/$family.yaml" --no-schema \
		--output-json "$@"
}

nsim_defer_flush() {
	local cpu
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		in_rx taskset -c "$cpu" ping -q -c 1 -W 1 127.0.0.1 >/dev/null 2>&1
	done
	return 0
}
