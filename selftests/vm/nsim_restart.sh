#!/bin/bash
# Queue restarts under traffic on the reference driver (netdevsim with
# CONFIG_NETDEVSIM_HDS, patch 0008, docs/netdevsim-hds.md): a pair of
# ports in two namespaces, 4 queues, MTU 9000, header split on, UDP
# streams to every queue and a TCP transfer running throughout, while
#
#  * every queue is restarted ROUNDS times through the core
#    (netdev_rx_queue_restart(), from the port's debugfs queue_restart:
#    new pools, stop, start, the old pools freed once their buffers are
#    back), a write of a queue that does not exist refused;
#  * tcp-data-split is turned off and on (the ethtool wrapper);
#  * the channels go 4 -> 2 -> 4 (ethtool -L);
#  * upstream's devmem provider is bound to queues 2 and 3 and unbound
#    again (ncdevmem -l, then killed), with a restart of a bound queue in
#    between, and -G tcp-data-split off and -L combined 2 refused while it
#    is bound.
#
# A UDP socket that nobody reads holds page-pool buffers of the old pools
# in its receive queue across all of it. Checked: each step succeeds,
# frames keep arriving after every step, the TCP transfer arrives intact,
# the held datagrams are all intact when finally read; then, with the
# sockets closed, the pools of the old queues are gone (every buffer came
# back: netdev page-pool-get), and when the port goes down all its pools
# drain and go. The
# guest's console verdict (KASAN, lockdep, kmemleak on the debug kernel)
# covers the rest.
#
# NSIM_RESTART_ROUNDS (default 3). Needs `make`, `make ncdevmem`, socat.
# Exit: 0 all passed, 1 a check failed, 4 skipped (no netdevsim with HDS).
# shellcheck source=selftests/lib/nsim.sh
. "$XSK_TOP/selftests/lib/nsim.sh"
# shellcheck source=selftests/lib/checks.sh
. "$XSK_TOP/selftests/lib/checks.sh"
set -u
export PATH=$NSIM_WRAP:$PATH
NCD=$XSK_BUILD/ncdevmem/ncdevmem
ROUNDS=${NSIM_RESTART_ROUNDS:-3}
MTU=9000 NQ=4
HOLD_PORT=6000 SINK_PORT=6001 TCP_PORT=5001 NCD_PORT=5201
SLOW=1
[ "${XSK_DEBUG:-0}" = 1 ] && SLOW=3
# Traffic the guest can carry while process context still gets RTNL in
# time: on the debug kernel a third (hung-task reports otherwise).
TCP_BYTES=$((24 * 1024 * 1024 / SLOW))
T=/tmp/nsim_restart.$$

et() { in_rx ethtool "$@"; }

for t in "$TOOLS/udp_send" "$NCD" "$NSIM_YNL/tools/net/ynl/cli.py"; do
	[ -e "$t" ] || { echo "FAIL: no $t (run 'make' and 'make ncdevmem')"; exit 1; }
done
command -v socat >/dev/null || { echo "FAIL: no socat (scripts/deps.sh)"; exit 1; }

nsim_pair $NQ $MTU
rc=$?
[ $rc = 0 ] || { [ $rc = 4 ] || echo "FAIL: set-up of the netdevsim pair"; exit $rc; }
BG=()
cleanup() {
	local p
	for p in "${BG[@]}"; do kill_tree "$p"; done
	nsim_cleanup
	rm -f $T.*
}
trap cleanup EXIT
IFINDEX=$(nsim_ifindex rx $IF_RX)
RESTART=$(nsim_hds_dir rx)/queue_restart

# Pools of the port (page-pool-get), one "id:inflight" per pool; pools
# that lost their queue show as "id:inflight:detached".
pools() {
	nsim_ynl rx netdev --dump page-pool-get > $T.pools 2>&1 ||
		{ echo "page-pool-get failed: $(head -n 2 $T.pools)"; return; }
	/usr/bin/python3 -c '
import json, sys
print(" ".join("%d:%d%s" % (p["id"], p.get("inflight", -1), ":detached" if "detach-time" in p else "")
               for p in json.load(open(sys.argv[1])) if p.get("ifindex") == int(sys.argv[2])))' \
		$T.pools "$IFINDEX"
}
frames() { nsim_snap rx | awk 'NR > 1 { n += $2 } END { print n + 0 }'; }
# step WHAT CMD...: run one reconfiguration; frames must arrive after it.
step() {
	local what=$1 before i
	shift
	if ! "$@" > $T.step 2>&1; then
		fail "$what: $(head -c 300 $T.step)"
		return 1
	fi
	before=$(frames)
	for ((i = 0; i < 100 * SLOW; i++)); do
		[ "$(frames)" -gt "$before" ] && { ok "$what; frames arrive after it"; return 0; }
		sleep 0.1
	done
	fail "$what: no frame arrived within $((10 * SLOW)) s after it"
	return 1
}
restart() { in_rx sh -c "echo $1 > $RESTART"; }

head -c $TCP_BYTES /dev/urandom > $T.tcp

# --- traffic ------------------------------------------------------------------

# The holder: binds, says "ready", reads nothing until $T.drain exists,
# then reads everything, counting the datagrams and checking their length.
# shellcheck disable=SC2016
in_rx /usr/bin/python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE: past rmem_max
s.bind((sys.argv[1], int(sys.argv[2])))
open(sys.argv[3] + ".ready", "w").close()
while not os.path.exists(sys.argv[3] + ".drain"):
    time.sleep(0.2)
s.setblocking(False)
n = bad = 0
while True:
    try:
        d = s.recv(65536)
    except BlockingIOError:
        break
    n += 1
    if len(d) != int(sys.argv[4]):
        bad += 1
print("held %d bad %d" % (n, bad))
' "$ADDR_RX" $HOLD_PORT $T 1000 > $T.held 2>&1 &
BG+=($!)
for ((i = 0; i < 300; i++)); do [ -e $T.ready ] && break; sleep 0.1; done
[ -e $T.ready ] || fail "the holding socket did not start"

# The sink reads datagrams of port SINK_PORT as they come.
in_rx socat -u UDP-RECV:$SINK_PORT,bind=$ADDR_RX OPEN:/dev/null &
BG+=($!)
in_rx socat -u TCP-LISTEN:$TCP_PORT,bind=$ADDR_RX,reuseaddr OPEN:$T.tcp.out,creat,trunc &
TCP_RX=$!
BG+=("$TCP_RX")
sleep 1

# 1000-byte datagrams to the holder (300 of them: about 1.2 MiB of socket
# buffer), and a steady stream from 8 source ports to the sink that RSS
# spreads over the queues (about 1600 datagrams/s, a third of that on the
# debug kernel).
in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $HOLD_PORT -n 300 -l 1000 -b 16 -g 1000 >/dev/null ||
	fail "udp_send to the holder"
for ((sp = 7000; sp < 7008; sp++)); do
	in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $SINK_PORT -s $sp -n 1000000 -l 100,3000,8000 \
		-b 4 -g $((20000 * SLOW)) >/dev/null 2>&1 &
	BG+=($!)
done
in_tx socat -u OPEN:$T.tcp TCP4:$ADDR_RX:$TCP_PORT,retry=20,interval=0.5 &
TCP_TX=$!
BG+=("$TCP_TX")
echo "     pools at the start: $(pools)"

# --- restarts, split, channels ----------------------------------------------

for ((r = 1; r <= ROUNDS; r++)); do
	for ((q = 0; q < NQ; q++)); do
		step "round $r: restart queue $q" restart $q
	done
done
if restart $NQ 2>/dev/null; then
	fail "queue_restart of queue $NQ (of $NQ) accepted"
else
	ok "queue_restart of queue $NQ (of $NQ) refused"
fi
step "tcp-data-split off" et -G $IF_RX tcp-data-split off
step "restart queue 1 with split off" restart 1
step "tcp-data-split on" et -G $IF_RX tcp-data-split on
step "ethtool -L combined 2" et -L $IF_RX combined 2
step "restart queue 0 with 2 channels" restart 0
step "ethtool -L combined 4" et -L $IF_RX combined 4
step "restart queue 3 after -L" restart 3

# --- devmem bind and unbind ------------------------------------------------

# ncdevmem binds queues 2 and 3 to a udmabuf (restarting them) and waits
# for a connection that never comes; killing it unbinds them (restarting
# them again). It sets -X equal 2 and a flow rule of its own on the way;
# the table goes first here, so that the streams leave queues 2 and 3
# before the bind, as on a NIC set up for devmem (devmem's allocator
# walks one gen_pool chunk per udmabuf page: costly per frame).
step "ethtool -X equal 2 (streams off queues 2 and 3)" et -X $IF_RX equal 2
in_rx timeout $((600 * SLOW)) "$NCD" -l -f $IF_RX -s "$ADDR_RX" -c "$ADDR_TX" -p $NCD_PORT \
	-t 2 -q 2 -v 7 > $T.ncd.out 2> $T.ncd.err &
NCD_PID=$!
BG+=("$NCD_PID")
if wait_line $T.ncd.err '^Waiting or connection' $((240 * SLOW)); then
	ok "ncdevmem bound queues 2 and 3"
	echo "     pools with devmem bound: $(pools)"
	if et -G $IF_RX tcp-data-split off 2> $T.err; then
		fail "tcp-data-split off accepted with devmem bound"
	else
		ok "tcp-data-split off refused with devmem bound ($(tail -n 1 $T.err))"
	fi
	# ncdevmem's flow rule to queue 2 alone would stop -L 2 (the ethtool
	# core checks rules and the indirection table, which ncdevmem set to
	# queues 0 and 1): without rules, it must be the bound queues that do
	# (6.12.118's ethtool_check_max_channel() asks
	# dev_get_min_mp_channel_count()).
	et -K $IF_RX ntuple off
	if et -L $IF_RX combined 2 2> $T.err; then
		fail "ethtool -L combined 2 accepted with devmem bound to queues 2 and 3"
		et -L $IF_RX combined 4
	elif grep -q 'too low for existing memory provider' $T.err; then
		ok "ethtool -L combined 2 refused: $(grep -o 'too low for existing memory provider[^)]*)' $T.err)"
	else
		fail "ethtool -L combined 2 refused for another reason: $(tr '\n' ' ' < $T.err)"
	fi
	step "restart queue 2 with devmem bound" restart 2
	step "restart queue 0 with devmem bound elsewhere" restart 0
else
	fail "ncdevmem did not bind"
	tail -n 20 $T.ncd.err | sed 's/^/     | /'
fi
kill_tree $NCD_PID
step "devmem unbound (ncdevmem killed)" true
step "ethtool -X default" et -X $IF_RX default
for ((q = 0; q < NQ; q++)); do
	step "after devmem: restart queue $q" restart $q
done

# --- the end ----------------------------------------------------------------

for p in "${BG[@]}"; do
	[ "$p" = "$TCP_TX" ] || [ "$p" = "$TCP_RX" ] || [ "$p" = "${BG[0]}" ] || kill_tree "$p"
done
if wait $TCP_TX; then
	wait $TCP_RX
	if cmp -s $T.tcp $T.tcp.out; then
		ok "TCP transfer of $TCP_BYTES bytes across the restarts intact"
	else
		fail "TCP transfer: $(stat -c %s $T.tcp.out 2>/dev/null) bytes received, content differs"
	fi
else
	fail "TCP sender failed"
fi
touch $T.drain
wait "${BG[0]}"
check "held datagrams read after everything (count, bad)" "$(cat $T.held)" "held 300 bad 0"
nsim_settle 2 $((30 * SLOW)) || fail "the link did not go quiet"

# A pool whose queue was restarted is destroyed at once but stays (listed
# with a detach time) until its last buffer is back; page_pool retries
# its release every second. With every socket read and closed, none may
# be left, and the live queues have their two pools each (headers,
# payload) and no other.
wait_pools() {
	local want=$1 i
	for ((i = 0; i < 30; i++)); do
		got=$(pools)
		case "$want:$got" in
		detached:*:detached*) ;;
		detached:*) return 0 ;;
		empty:) return 0 ;;
		esac
		sleep 1
	done
	return 1
}
echo "     pools before the defer-list nudge: $(pools)"
nsim_defer_flush
wait_pools detached
echo "     pools at the end: $got"
check "detached pools left after 30 s (id:inflight:detached)" \
	"$(tr ' ' '\n' <<<"$got" | grep detached | tr '\n' ' ')" ""
check "pools of the port's $NQ queues" "$(wc -w <<<"$got")" $((2 * NQ))
nsim_snap rx | sed 's/^/     /'
# Down, the port destroys its pools: each must drain (inflight 0) and go.
in_rx ip link set $IF_RX down
nsim_defer_flush
wait_pools empty
check "pools of the port 30 s after it went down (id:inflight)" "$got" ""

checks_done nsim_restart
