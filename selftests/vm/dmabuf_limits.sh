#!/bin/bash
# Privilege, isolation and resource limits of the dmabuf UMEM (issue 13,
# item 3); dmabuf_limits.c says what each part proves:
#
#   caps     no AF_XDP socket without CAP_NET_RAW; an unprivileged user in
#            its own user + network namespace, against a device of the
#            initial namespace (xlim0, index 4444)
#   fds      only a dmabuf the caller holds (and may write) is registered
#   cross    chunk offsets of one UMEM posted on another's dmabuf fill ring,
#            under traffic (udp_send over $IF_TX -> $IF_RX, steer.bpf.o
#            splitting at l4): rejected and counted, the other area's bytes
#            never written; four cases
#   netns    a socket binds by index in its own network namespace only
#   memcg    the area's kernel memory is charged to the caller's memory
#            cgroup and bounded by memory.max (ENOMEM, nothing left)
#   memcg-zc the same for a zero-copy bind's DMA address array; only over
#            XSK_LINK=nsim-split (TESTS: vm/dmabuf_limits.sh@nsim-split)
#
# DMABUF_LIMITS_PARTS picks some (separated by +; default all),
# DMABUF_LIMITS_MB the udmabuf size of memcg (512).
. "$XSK_TOP/selftests/lib/link.sh"
. "$XSK_TOP/selftests/lib/checks.sh"
set -u
BIN=$XSK_BUILD/selftests/vm/dmabuf_limits
XSK=$XSK_BUILD/user/xsk-devmem
PARTS=${DMABUF_LIMITS_PARTS:-caps+fds+cross+netns+memcg+memcg-zc}
COUNT=100 PORT=4791 pin=/sys/fs/bpf/xskd$$-lim log=/tmp/dmabuf_limits.$$.log

cleanup() {
	ip link del xlim0 2>/dev/null
	link_cleanup
	rm -rf $pin
}
link_pair 9000 || { echo "FAIL dmabuf_limits: set-up"; exit 1; }
trap cleanup EXIT

# part NAME CMD...: run one part, its lines indented under ok/FAIL NAME.
part() {
	local name=$1 rc
	shift
	timeout -k 5 240 "$@" >"$log" 2>&1
	rc=$?
	if [ $rc = 0 ]; then ok "$name"; else fail "$name (exit $rc)"; fi
	sed 's/^/     /' "$log"
}

for p in ${PARTS//+/ }; do
	case $p in
	caps)
		ip link add xlim0 index 4444 type veth peer name xlim0p &&
			ip link set xlim0 up || { fail "caps: set-up"; continue; }
		part caps "$BIN" caps 4444
		ip link del xlim0
		;;
	fds)
		part fds "$BIN" fds
		;;
	cross)
		# B's device: a veth pair of its own in the receiving namespace.
		in_rx ip link add xdx0 type veth peer name xdx1 && in_rx ip link set xdx0 up &&
			in_rx ip link set xdx1 up &&
			in_rx "$XSK" steer -p $pin load $IF_RX -m native >/dev/null &&
			in_rx "$XSK" steer -p $pin rule add dst $ADDR_RX/32 proto udp dport $PORT \
				action redirect split l4 >/dev/null || { fail "cross: set-up"; continue; }
		for c in same-offsets other-offsets one-dmabuf read-only; do
			XSK_STEER_PIN_DIR=$pin in_rx timeout -k 5 120 "$BIN" cross $IF_RX xdx0 $c $COUNT \
				>"$log.rx" 2>&1 &
			rx=$!
			wait_line "$log.rx" 'dmabuf_limits: ready' 30 &&
				in_tx "$TOOLS/udp_send" -d $ADDR_RX -p $PORT -n $COUNT -l 3000 -b 1 -g 2000 \
					>/dev/null
			wait $rx
			rc=$?
			grep -v 'dmabuf_limits: ready' "$log.rx" >"$log"
			if [ $rc = 0 ]; then ok "cross $c"; else fail "cross $c (exit $rc)"; fi
			sed 's/^/     /' "$log"
		done
		in_rx "$XSK" steer -p $pin unload $IF_RX >/dev/null 2>&1
		in_rx ip link del xdx0
		;;
	netns)
		in_tx ip link add xlim1 index 4242 type veth peer name xlim1p &&
			in_tx ip link add xlimt index 4343 type veth peer name xlimtp &&
			in_rx ip link add xlimr index 4343 type veth peer name xlimrp &&
			in_tx ip link set xlim1 up && in_tx ip link set xlimt up &&
			in_rx ip link set xlimr up || { fail "netns: set-up"; continue; }
		part netns "$BIN" netns $NS_RX $NS_TX
		;;
	memcg)
		mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
		part memcg "$BIN" memcg "${DMABUF_LIMITS_MB:-512}"
		;;
	memcg-zc)
		if [ "$XSK_LINK" != nsim-split ]; then
			echo "skip memcg-zc: zero copy needs XSK_LINK=nsim-split (this is $XSK_LINK)"
			continue
		fi
		mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
		in_rx "$XSK" steer -p $pin load $IF_RX -m native >/dev/null ||
			{ fail "memcg-zc: set-up"; continue; }
		part memcg-zc nsenter --net=/var/run/netns/$NS_RX "$BIN" memcg-zc $IF_RX \
			"${DMABUF_LIMITS_MB:-512}"
		in_rx "$XSK" steer -p $pin unload $IF_RX >/dev/null 2>&1
		;;
	*)
		fail "unknown part $p"
		;;
	esac
done
if checks_done dmabuf_limits; then
	echo "PASS dmabuf_limits"
else
	echo "FAIL dmabuf_limits"
	exit 1
fi
