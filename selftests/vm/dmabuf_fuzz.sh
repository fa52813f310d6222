#!/bin/bash
# The seeded state-machine fuzzer of the dmabuf UMEM UAPI (dmabuf_fuzz.c)
# under traffic: a link with QUEUES (2) queues, steer.bpf.o in native XDP
# redirecting UDP to port 4791 (split after the UDP header) and 4792
# (whole packets) to the socket of the receiving queue, a second veth in
# the receiving namespace without traffic, and udp_send in a loop from the
# peer; then dmabuf_fuzz in the receiving namespace. It calls this script
# back as "dmabuf_fuzz.sh --helper ACTION [ARG]" for device operations:
#
#   del, add        delete the receiving device (link_del) / re-create it
#                   (link_readd) and load steer on it again
#   xdp off|on      unload / load steer
#   hds off|on      tcp-data-split (netdevsim)
#   channels N      ethtool -L combined N (netdevsim)
#   flush           the receive softirq on every CPU (nsim_defer_flush)
#   restore         the device back as set up: present, up, header split,
#                   channels, steer
#
# Over veth, nsim or nsim-split (TESTS: @nsim-split, zero copy there).
# Environment: FUZZ_SEED, FUZZ_OPS, FUZZ_SECONDS (default 90), FUZZ_LOG,
# FUZZ_DEV_EVERY, FUZZ_WAIT (dmabuf_fuzz.c); with FUZZ_LOG=1 the operations
# go to dmabuf_fuzz.ops in the results directory (vm-run.sh -o). The seed
# and how to reproduce the run are printed first, and written to the
# kernel log (so the console has them), with a marker every 2000 ops and
# before every device operation.
. "$XSK_TOP/selftests/lib/link.sh"
set -u
CLI=$XSK_BUILD/user/xsk-devmem
PORT=4791 PORT_WHOLE=4792 NQ=2 MTU=9000
[ "$XSK_LINK" != veth ] && export PATH=$NSIM_WRAP:$PATH

steer_on() {
	in_rx "$CLI" steer load -m native $IF_RX >/dev/null &&
	in_rx "$CLI" steer rule add dst "$ADDR_RX/32" proto udp dport $PORT \
		action redirect split l4 >/dev/null &&
	in_rx "$CLI" steer rule add dst "$ADDR6_RX/128" proto udp dport $PORT \
		action redirect split l4 >/dev/null &&
	in_rx "$CLI" steer rule add dst "$ADDR_RX/32" proto udp dport $PORT_WHOLE \
		action redirect split none >/dev/null
}

steer_off() {
	in_rx xdp-loader unload --all $IF_RX >/dev/null 2>&1
	xdp-loader clean >/dev/null 2>&1
	rm -rf /sys/fs/bpf/xsk-devmem
}

dev_present() { in_rx ip link show dev $IF_RX >/dev/null 2>&1; }

if [ "${1:-}" = --helper ]; then
	# dmabuf_fuzz runs in the receiving namespace; devices are made (and
	# found in /sys) from the initial one.
	[ "$(readlink /proc/self/ns/net)" = "$(readlink /proc/1/ns/net)" ] ||
		exec nsenter --net=/proc/1/ns/net "$0" "$@"
	exec >>/tmp/dmabuf_fuzz.helper.log 2>&1
	echo "--- $*"
	# The set-up's names: link.sh derives them from the PID.
	NS_TX=$FUZZ_NS_TX NS_RX=$FUZZ_NS_RX
	if [ "$XSK_LINK" != veth ]; then
		NSIM_ID_TX=$FUZZ_NSIM_TX NSIM_ID_RX=$FUZZ_NSIM_RX IF_TX=nsimtx IF_RX=nsimrx
	fi
	case "$2" in
	del)	dev_present && link_del && steer_off ;;
	add)	dev_present || { link_readd $MTU $NQ && steer_on; } ;;
	xdp)	if [ "$3" = on ]; then steer_on; else steer_off; fi ;;
	hds)	in_rx ethtool -G $IF_RX tcp-data-split "$3" >/dev/null 2>&1 ;;
	channels) in_rx ethtool -L $IF_RX combined "$3" >/dev/null 2>&1 ;;
	flush)	nsim_defer_flush ;;
	restore)
		dev_present || { link_readd $MTU $NQ || exit 1; steer_off; }
		in_rx ip link set $IF_RX up || exit 1
		if [ "$XSK_LINK" != veth ]; then
			in_rx ethtool -L $IF_RX combined $NQ >/dev/null 2>&1
			[ "$XSK_LINK" = nsim-split ] && { link_split || exit 1; }
		fi
		[ -e /sys/fs/bpf/xsk-devmem/steer_xsks ] || { steer_off; steer_on; } ;;
	*)	echo "dmabuf_fuzz.sh --helper: unknown action '$2'" >&2; exit 2 ;;
	esac
	exit
fi

SEED=${FUZZ_SEED:-$(( $(date +%s%N) / 1000 % 1000000000000 ))}
if [ -n "${FUZZ_OPS:-}" ]; then BUDGET="-e FUZZ_OPS=$FUZZ_OPS"
else BUDGET="-e FUZZ_SECONDS=${FUZZ_SECONDS:-90}"; fi
REPRO="scripts/vm-run.sh --debug -e FUZZ_SEED=$SEED $BUDGET vm/boot.sh vm/dmabuf_fuzz.sh@$XSK_LINK"
echo "reproduce: $REPRO"
echo "dmabuf_fuzz: reproduce: $REPRO" >/dev/kmsg

link_pair $MTU $NQ || exit 1
TX=""
trap '[ -n "$TX" ] && kill_tree $TX; link_cleanup; steer_off' EXIT
in_rx ip link add fzv0 type veth peer name fzv1 && in_rx ip link set fzv0 up &&
	in_rx ip link set fzv1 up || exit 1
rm -rf /sys/fs/bpf/xsk-devmem
steer_on || { echo "FAIL: loading steer"; exit 1; }

# Traffic throughout, whatever happens to the device: split and whole,
# IPv4 and IPv6, several source ports (the queues), 22 B to 8972 B.
# shellcheck disable=SC2016
in_tx bash -c 'i=0
	while :; do
		case $((i++ % 3)) in
		0) d=$1 p=$3 ;; 1) d=$2 p=$3 ;; *) d=$1 p=$4 ;;
		esac
		"$0" -d $d -p $p -s $((20000 + i % 4)) -n 2000 -l 22,1472,4000,8972,300 \
			-b 8 -g 2000 >/dev/null 2>&1 || sleep 0.2
	done' "$TOOLS/udp_send" $ADDR_RX $ADDR6_RX $PORT $PORT_WHOLE &
TX=$!

ZC=0 RESTART=""
if [ "$XSK_LINK" = nsim-split ]; then
	ZC=1
fi
[ "$XSK_LINK" != veth ] && RESTART=$(nsim_hds_dir rx)/queue_restart
export FUZZ_NS_TX=$NS_TX FUZZ_NS_RX=$NS_RX
[ "$XSK_LINK" != veth ] && export FUZZ_NSIM_TX=$NSIM_ID_TX FUZZ_NSIM_RX=$NSIM_ID_RX
WAIT=30
[ "${XSK_DEBUG:-0}" = 1 ] && WAIT=90
LOG=/tmp/dmabuf_fuzz.$$.log
in_rx env FUZZ_SEED="$SEED" FUZZ_IFNAME=$IF_RX FUZZ_IFNAME2=fzv0 FUZZ_QUEUES=$NQ \
	FUZZ_ZC=$ZC FUZZ_HELPER="$XSK_TOP/selftests/vm/dmabuf_fuzz.sh" \
	FUZZ_RESTART="$RESTART" FUZZ_XSKMAP=/sys/fs/bpf/xsk-devmem/steer_xsks \
	FUZZ_SECONDS="${FUZZ_SECONDS:-$([ -n "${FUZZ_OPS:-}" ] && echo 0 || echo 90)}" \
	FUZZ_WAIT="${FUZZ_WAIT:-$WAIT}" FUZZ_LOG_FILE="${XSK_RESULTS:-/tmp}/dmabuf_fuzz.ops" \
	"$XSK_BUILD/selftests/vm/dmabuf_fuzz" 2>&1 | tee $LOG
rc=${PIPESTATUS[0]}
[ $rc = 0 ] || { echo "device helper's output:"; tail -n 20 /tmp/dmabuf_fuzz.helper.log; }
n=$(sed -n 's/^dmabuf_fuzz: \([0-9]*\) ops, seed .*/\1/p' $LOG)
[ -n "$n" ] && echo "reproduce this sequence: scripts/vm-run.sh --debug -e FUZZ_SEED=$SEED -e FUZZ_OPS=$n vm/boot.sh vm/dmabuf_fuzz.sh@$XSK_LINK"
exit "$rc"
