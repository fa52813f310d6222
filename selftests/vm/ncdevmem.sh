#!/bin/bash
# Upstream's devmem TCP tool on the reference driver: ncdevmem
# (tools/testing/selftests/net/ncdevmem.c of the 6.12 tree, built by `make
# ncdevmem` with the tree's ynl library) on a netdevsim pair with
# CONFIG_NETDEVSIM_HDS (patch 0008, docs/netdevsim-hds.md), 4 queues,
# receiving through upstream's devmem memory provider into a udmabuf. It
# configures the port as it would a gve NIC: `sudo ethtool -G IF
# tcp-data-split on|off` (the ethtool wrapper of selftests/lib/ethtool-nl and
# its sudo shim come first on PATH), -K ntuple off/on, -X equal START,
# -N flow-type tcp4|tcp6 ... queue START, -L; and it binds queues
# START..START+NQ-1 (-t 2 -q 2 here: RSS keeps to queues 0 and 1).
#
#  * Negative binding tests (ncdevmem without -l; 6.12 then exits 1 after
#    them, there being nothing else to do): binding an array of empty queue
#    entries fails, binding with header split off fails (the driver refuses
#    a provider then: "needs tcp-data-split on" in dmesg), binding with it
#    on succeeds, ethtool -L rx N tx N-1 fails (on netdevsim for want of
#    separate rx channels: vm/nsim_restart.sh checks that -L cannot drop a
#    bound queue); no error() from ncdevmem; afterwards no queue is bound.
#  * Data runs (-l -v 7 -c PEER), IPv6 then IPv4: NCDEVMEM_BYTES (default
#    8 MiB + 4321) of TCP from the peer namespace (socat, from source port
#    PORT since -c makes the flow rule match it), in the pattern -v 7
#    checks (bytes 1, 2, ..., 6, 0 repeated: the client in ncdevmem.c's
#    comment, `yes $'\x01..\x06' | tr '\n' '\0'`). While it waits, queues
#    2 and 3 are bound to a dmabuf (netdev queue-get); at the end ncdevmem
#    exits 0 having received every byte into the dmabuf (total_received),
#    validated (no "Failed validation"), none through the linear part
#    (SCM_DEVMEM_LINEAR), none off the bound queue ("flow steering
#    error"); the driver split every data frame on queue 2; then no queue
#    is bound and the devmem page pools are gone (page-pool-get: every
#    buffer came back).
#
# NCDEVMEM_FAMILIES (default "6 4"), NCDEVMEM_BYTES, NCDEVMEM_MTU (1500).
# A data run is ~10 ethtool calls (Debian's ethtool, or ethtool_rings for
# tcp-data-split), then the transfer. Needs `make ncdevmem` and socat.
# Exit: 0 all passed, 1 a check failed, 4 skipped (no netdevsim with HDS).
# shellcheck source=selftests/lib/nsim.sh
. "$XSK_TOP/selftests/lib/nsim.sh"
# shellcheck source=selftests/lib/checks.sh
. "$XSK_TOP/selftests/lib/checks.sh"
set -u
export PATH=$NSIM_WRAP:$PATH
NCD=$XSK_BUILD/ncdevmem/ncdevmem
BYTES=${NCDEVMEM_BYTES:-$((8 * 1024 * 1024 + 4321))}
FAMILIES=${NCDEVMEM_FAMILIES:-6 4}
MTU=${NCDEVMEM_MTU:-1500}
PORT=5201 START=2 NQ=2
# Time limits: the debug kernel (KASAN, lockdep) runs ~3x slower.
SLOW=1
[ "${XSK_DEBUG:-0}" = 1 ] && SLOW=3
T=/tmp/ncdevmem.$$


[ -x "$NCD" ] || { echo "FAIL: no $NCD (run 'make ncdevmem')"; exit 1; }
[ -x "$TOOLS/ethtool_rings" ] || { echo "FAIL: no $TOOLS/ethtool_rings (run 'make')"; exit 1; }
command -v socat >/dev/null || { echo "FAIL: no socat (scripts/deps.sh)"; exit 1; }
if [ "$(command -v ethtool)" != "$NSIM_WRAP/ethtool" ] ||
   [ "$(command -v sudo)" != "$NSIM_WRAP/sudo" ]; then
	echo "FAIL: the ethtool wrapper and sudo shim are not first on PATH"
	exit 1
fi

nsim_pair 4 "$MTU"
rc=$?
[ $rc = 0 ] || { [ $rc = 4 ] || echo "FAIL: set-up of the netdevsim pair"; exit $rc; }
NCD_PID=
cleanup() {
	[ -n "$NCD_PID" ] && kill_tree "$NCD_PID"
	nsim_cleanup
	rm -f $T.*
}
trap cleanup EXIT
IFINDEX=$(nsim_ifindex rx $IF_RX)

# The pattern -v 7 checks: 1, 2, 3, 4, 5, 6, 0, 1, ...
yes "$(printf '\001\002\003\004\005\006')" | tr '\n' '\0' | head -c "$BYTES" > $T.payload
check "payload file size" "$(stat -c %s $T.payload)" "$BYTES"

# The RX queues bound to a dmabuf ("2 3"), from netdev queue-get.
bound_queues() {
	nsim_ynl rx netdev --dump queue-get --json "{\"ifindex\": $IFINDEX}" > $T.queues 2>&1 ||
		{ echo "queue-get failed: $(head -n 2 $T.queues)"; return; }
	/usr/bin/python3 -c '
import json, sys
print(" ".join(str(q["id"]) for q in sorted(json.load(open(sys.argv[1])), key=lambda q: q["id"])
               if q.get("type") == "rx" and "dmabuf" in q))' $T.queues
}

# Page pools of the port that a dmabuf backs (page-pool-get): "id:inflight ...".
dmabuf_pools() {
	nsim_ynl rx netdev --dump page-pool-get > $T.pools 2>&1 ||
		{ echo "page-pool-get failed: $(head -n 2 $T.pools)"; return; }
	/usr/bin/python3 -c '
import json, sys
print(" ".join("%d:%d" % (p["id"], p.get("inflight", -1)) for p in json.load(open(sys.argv[1]))
               if p.get("ifindex") == int(sys.argv[2]) and "dmabuf" in p))' $T.pools "$IFINDEX"
}

# Lines of ncdevmem's error(): glibc prefixes them with argv[0] and ": ".
error_lines() { awk -v p="$NCD: " 'index($0, p) == 1' "$@"; }

# --- negative binding tests -----------------------------------------------------

dmesg_before=$(dmesg | grep -c 'needs tcp-data-split on')
in_rx timeout $((300 * SLOW)) "$NCD" -f $IF_RX -s "$ADDR6_RX" -t $START -q $NQ > $T.neg.out 2> $T.neg.err
rc=$?
echo "     ncdevmem (negative tests) exit $rc; its stderr:"
sed 's/^/     | /' $T.neg.err
# ncdevmem's own skips (no /dev/udmabuf, no memfd): "[skip,...]".
if grep -q '\[skip,' $T.neg.err; then
	echo "skip: ncdevmem skipped: $(grep -o '\[skip,[^]]*\]' $T.neg.err | head -n 1)"
	exit 4
fi
check "negative tests: exit status (6.12 exits 1 without -l)" $rc 1
check "negative tests: error() lines" "$(error_lines $T.neg.err | wc -l)" 0
check "negative tests: successful binds (only the one with split on)" \
	"$(grep -c '^got dmabuf id=' $T.neg.err)" 1
check "negative tests: failed binds (empty queue array, split off)" \
	"$(grep -c '^YNL failed' $T.neg.err)" 2
check "negative tests: reached ethtool -L rx $NQ tx $((NQ - 1))" \
	"$(grep -c "^Running: sudo ethtool -L $IF_RX rx $NQ tx $((NQ - 1))" $T.neg.err)" 1
check "negative tests: the driver refused a provider with split off (dmesg)" \
	"$(($(dmesg | grep -c 'needs tcp-data-split on') > dmesg_before))" 1
check "after the negative tests: bound queues" "$(bound_queues)" ""
check "after the negative tests: tcp-data-split" \
	"$(in_rx ethtool -g $IF_RX | awk 'sub(/^TCP data split:[[:space:]]*/, "")')" on

# --- data runs --------------------------------------------------------------------

# data_run 6|4
data_run() {
	local fam=$1 server client connect what="data run IPv$1" i rc total got
	if [ "$fam" = 6 ]; then
		server=$ADDR6_RX client=$ADDR6_TX connect=TCP6:[$ADDR6_RX]:$PORT
	else
		server=$ADDR_RX client=$ADDR_TX connect=TCP4:$ADDR_RX:$PORT
	fi
	rm -f $T.out $T.err
	nsim_snap rx > $T.snap
	in_rx timeout $((600 * SLOW)) "$NCD" -l -f $IF_RX -s "$server" -c "$client" -p $PORT \
		-t $START -q $NQ -v 7 > $T.out 2> $T.err &
	NCD_PID=$!
	if ! wait_line $T.err '^Waiting or connection' $((240 * SLOW)); then
		fail "$what: ncdevmem did not get to accept()"
		tail -n 30 $T.err | sed 's/^/     | /'
		kill_tree "$NCD_PID"; NCD_PID=
		return
	fi
	check "$what: queues bound while waiting" "$(bound_queues)" "$(seq -s ' ' $START $((START + NQ - 1)))"
	# One provider pool per bound queue (its payload pool), nothing else:
	# the negative tests' pools never held a buffer and are gone.
	got=$(dmabuf_pools)
	check "$what: devmem page pools while waiting (id:inflight)" "$(wc -w <<<"$got")" $NQ
	if ! in_tx timeout $((600 * SLOW)) socat -u "OPEN:$T.payload" "$connect,sourceport=$PORT,reuseaddr"; then
		fail "$what: the socat sender failed"
	fi
	wait "$NCD_PID"
	rc=$?
	NCD_PID=
	nsim_delta rx $T.snap > $T.delta
	total=$(sed -n 's/^total_received=\([0-9]*\)$/\1/p' $T.err | tail -n 1)
	check "$what: ncdevmem exit status" $rc 0
	check "$what: ncdevmem saw the client exit" "$(grep -c '^client exited' $T.err)" 1
	check "$what: bytes received into the dmabuf (total_received)" "$total" "$BYTES"
	check "$what: Failed validation lines" "$(grep -c 'Failed validation' $T.err)" 0
	check "$what: SCM_DEVMEM_LINEAR (payload in the linear part)" \
		"$(grep -c SCM_DEVMEM_LINEAR $T.err)" 0
	check "$what: error() lines" "$(error_lines $T.err | wc -l)" 0
	got=$(grep -c '^Validated buffer' $T.out)
	if [ "$got" -gt 0 ] && [ "$got" = "$(grep -c '^received frag_page=' $T.err)" ]; then
		ok "$what: every frag validated ($got frags)"
	else
		fail "$what: $got 'Validated buffer' lines for $(grep -c '^received frag_page=' $T.err) frags"
	fi
	if [ $rc != 0 ] || [ "$total" != "$BYTES" ]; then
		grep -v '^received frag_page=\|^recvmsg ret=\|^total_received=' $T.err |
			tail -n 30 | sed 's/^/     | /'
	fi
	# The driver's view of queue START: frames split, nothing dropped.
	echo "     queue $START: $(nsim_field $T.delta $START packets) frames," \
		"$(nsim_field $T.delta $START split) split, $(nsim_field $T.delta $START bytes) bytes," \
		"alloc_fail $(nsim_field $T.delta $START alloc_fail)," \
		"dma_bytes $(nsim_field $T.delta $START dma_bytes)"
	if [ "$(nsim_field $T.delta $START split)" -ge $(((BYTES + MTU - 1) / MTU)) ]; then
		ok "$what: the driver split the data frames on queue $START"
	else
		fail "$what: $(nsim_field $T.delta $START split) frames split on queue $START"
	fi
	# Frames the device dropped: none expected (the provider has 16000
	# buffers and ncdevmem returns each at once). A full wire FIFO is a
	# loss TCP repairs, shown but not failed.
	check "$what: frames dropped by the device (all queues: drops dma_faults)" \
		"$(nsim_field $T.delta all drops) $(nsim_field $T.delta all dma_faults)" "0 0"
	echo "     fifo_drops (wire losses TCP repaired): $(nsim_field $T.delta all fifo_drops)"
	check "$what: bound queues after ncdevmem exited" "$(bound_queues)" ""
	# The provider's pools go once every buffer is back (page_pool
	# retries its release every second). Skbs ncdevmem read on another
	# CPU than the one that received them wait on that CPU's defer list
	# until its next receive softirq: nudge every CPU once first.
	sleep 2
	echo "     devmem pools before the nudge (id:inflight): $(dmabuf_pools)"
	nsim_defer_flush
	for ((i = 0; i < 30; i++)); do
		got=$(dmabuf_pools)
		[ -z "$got" ] && break
		sleep 1
	done
	check "$what: devmem page pools left after 30 s (id:inflight)" "$got" ""
}

for fam in $FAMILIES; do
	data_run "$fam"
done

checks_done ncdevmem
