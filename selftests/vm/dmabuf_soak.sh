#!/bin/bash
# Soak (TESTS: vm/dmabuf_soak.sh@nsim-split): SOAK_PACKETS UDP datagrams
# through a dmabuf UMEM socket, in copy mode and in zero copy over the
# reference driver with header split, while dmabuf_soak's chaos thread
# unbinds and rebinds the socket (in zero copy sometimes with split turned
# off in between: the bind must be refused with EOPNOTSUPP, reason
# NO_HEADER_SPLIT), restarts the queue, toggles header split (refused
# under a zero-copy socket) and refills the dmabuf fill ring slowly.
#
# dmabuf_soak checks every datagram byte for byte, and at every unbind and
# at the end that each chunk of the area is in exactly one place (user
# space's hands, the fill ring, the completion ring, the kernel's cache or
# a page pool) as the kernel's owner counts say (debugfs xsk_dmabuf/areas),
# that the socket's counters match what it received, and that no area is
# left after the last close. This script then adds up every datagram sent:
#
#   sent = delivered intact                   (dmabuf_soak, rxcheck)
#        + dropped by the sender's device     (nsimtx tx_dropped)
#        + wire FIFO full                     (hds/queues fifo_drops)
#        + driver drops before XDP            (drops: alloc_fail, dma_faults)
#        + no socket bound: passed to the stack (packets; Udp NoPorts),
#          or dropped there for device-memory frags (unreadable)
#        + redirect refused by the socket     (xdp_drop = rx_ring_full +
#                                              rx_dropped, summed over the
#                                              sockets)
#        + delivered to the socket but not intact (xdp_redirect - intact)
#
# and that each class is what its own counters say: every driver drop has
# a cause, every refused redirect a socket counter, every passed datagram
# a steer redirect_fail, zero copy's empty fill ring allocations are the
# driver's allocation failures while a socket was bound, none fails while
# a socket closes (its counters cannot be read any more), and what the
# rule matched is what reached XDP. A datagram that no counter explains
# fails the test.
#
# SOAK_PACKETS (default 100000: about a minute per mode under TCG; make
# hardening sends 1000000, about 10 minutes per mode),
# SOAK_MODES (copy+zc), SOAK_SIZES (payload sizes, 22,1472,4000,8972),
# SOAK_BURST and SOAK_GAP_US (udp_send pacing, 8 and 1500), SOAK_SEED,
# SOAK_PERIOD_MS (chaos interval, 300,1500).
. "$XSK_TOP/selftests/lib/link.sh"
. "$XSK_TOP/selftests/lib/checks.sh"
set -u
[ "$XSK_LINK" = nsim-split ] || { echo "dmabuf_soak: runs over nsim-split (TESTS)"; exit 4; }
CLI=$XSK_BUILD/user/xsk-devmem
SOAK=$XSK_BUILD/selftests/vm/dmabuf_soak
PORT=4791
# The debug kernel (KASAN, lockdep) receives several times slower.
N=${SOAK_PACKETS:-$([ "${XSK_DEBUG:-0}" = 1 ] && echo 50000 || echo 100000)}
SIZES=${SOAK_SIZES:-22,1472,4000,8972}
SEED=${SOAK_SEED:-$(date +%s)}
T=/tmp/dmabuf_soak.$$
declare -A R	# R[mode,key]: the table

# kv LINE KEY: the value of KEY=... in a "key=value ..." line.
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }
# The sender's device: dropped on transmit (no peer queue, a steer rule).
tx_dropped() { in_tx ip -j -s link show dev $IF_TX | jq '.[0].stats64.tx.dropped'; }
# UDP datagrams to a port nobody listens on, in the receiving namespace.
# shellcheck disable=SC2016
udp_noports() { in_rx awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["NoPorts"] }' /proc/net/snmp; }
steer_stat() { in_rx "$CLI" steer stats | awk -v k="$1" '$1 == k { print $2 }'; }
rule_packets() { in_rx "$CLI" steer rule list | sed -n 's/.*counter [0-9]* (\([0-9]*\) packets.*/\1/p' | head -n 1; }


# soak MODE: one run, its numbers into R[MODE,...].
soak() {
	local mode=$1 log=$T.$1.log stop=$T.$1.stop zc=() rx rc t0 t1 line chunks
	local tx0 np0 rf0 k all af
	link_pair 9000 || { fail "$mode: set-up"; return; }
	in_rx "$CLI" steer load -m native $IF_RX >/dev/null &&
	in_rx "$CLI" steer rule add dst "$ADDR_RX/32" proto udp dport $PORT action redirect split l4 >/dev/null ||
		{ fail "$mode: loading steer"; link_cleanup; return; }
	[ "$mode" = zc ] && zc=(--zc)
	nsim_settle 1 30 >/dev/null
	nsim_snap rx >$T.snap
	tx0=$(tx_dropped) np0=$(udp_noports) rf0=$(steer_stat redirect_fail)
	rm -f "$stop"
	PATH=$NSIM_WRAP:$PATH in_rx "$SOAK" -i $IF_RX -p $PORT -n "$N" "${zc[@]}" --stop-on "$stop" \
		--restart "$(nsim_hds_dir rx)/queue_restart" --queues "$(nsim_hds_dir rx)/queues" --split-cmd "ethtool -G $IF_RX tcp-data-split" \
		--period-ms "${SOAK_PERIOD_MS:-300,1500}" --seed "$SEED" -t 3000 >"$log" 2>&1 &
	rx=$!
	if ! wait_line "$log" 'dmabuf_soak: ready' 30; then
		fail "$mode: dmabuf_soak did not start"; sed 's/^/     /' "$log"
		kill_tree $rx; link_cleanup; return
	fi
	t0=$(date +%s.%N)
	in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n "$N" -l "$SIZES" \
		-b "${SOAK_BURST:-8}" -g "${SOAK_GAP_US:-1500}" >>"$log" 2>&1 ||
		fail "$mode: udp_send"
	t1=$(date +%s.%N)
	# Everything sent is through the device once the link is quiet.
	nsim_settle 2 120 >/dev/null || fail "$mode: the link did not go quiet"
	touch "$stop"
	wait $rx; rc=$?
	nsim_settle 1 30 >/dev/null
	nsim_delta rx $T.snap >$T.delta
	line=$(grep '^dmabuf_soak: totals' "$log" | tail -n 1)
	chunks=$(grep '^dmabuf_soak: chunks ' "$log" | tail -n 1)
	all=$(grep '^dmabuf_soak: chunks_all' "$log" | tail -n 1)
	af=$(grep '^dmabuf_soak: alloc_fail' "$log" | tail -n 1)
	if [ $rc = 0 ] && [ -n "$line" ]; then
		ok "$mode: dmabuf_soak: every chunk accounted for at $(kv "$line" checkpoints) checkpoints, every datagram received intact, the socket counters right"
	else
		fail "$mode: dmabuf_soak (exit $rc)"
		grep -v '^dmabuf_soak: \(totals\|chunks\)' "$log" | tail -n 30 | sed 's/^/     /'
	fi
	grep -E '^dmabuf_soak: (totals|chunks|alloc_fail|epoch|.*intact)' "$log" | sed 's/^/     /'
	grep -E '^dmabuf_soak: FAIL' "$log" | head -n 20 | sed 's/^/     /'

	d() { nsim_field $T.delta 0 "$1"; }
	R[$mode,sent]=$N
	R[$mode,secs]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	R[$mode,pps]=$(awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN { printf "%.0f", n / (b - a) }')
	R[$mode,intact]=$(kv "$line" intact)
	R[$mode,read]=$(kv "$line" packets)
	R[$mode,tx_dropped]=$(($(tx_dropped) - tx0))
	R[$mode,steer_drops]=$(nsim_steer_drops rx)
	R[$mode,fifo]=$(d fifo_drops)
	R[$mode,drops]=$(d drops)
	R[$mode,alloc_fail]=$(d alloc_fail)
	R[$mode,dma_faults]=$(d dma_faults)
	R[$mode,unreadable]=$(d unreadable)
	R[$mode,stack]=$(d packets)
	R[$mode,noports]=$(($(udp_noports) - np0))
	R[$mode,redirect_fail]=$(($(steer_stat redirect_fail) - rf0))
	R[$mode,rule]=$(rule_packets)
	R[$mode,xdp_drop]=$(d xdp_drop)
	R[$mode,xdp_tx]=$(d xdp_tx)
	R[$mode,xdp_redirect]=$(d xdp_redirect)
	for k in rx_ring_full rx_dropped rx_fill_empty dmabuf_fill_empty epochs unbinds rebinds \
		 zc_bind_refused restarts split_toggles split_off_refused slow_refills starved_unbinds \
		 checkpoints kicks \
		 unbound_secs split_secs; do
		R[$mode,$k]=$(kv "$line" $k)
	done
	for k in nchunks user_free fill_ring completion_ring refs_held kernel unpublished \
		 k_user k_kernel k_pool lag_checkpoints lag_max; do
		R[$mode,$k]=$(kv "$chunks" $k)
	done
	for k in bound closing unbound; do
		R[$mode,af_$k]=$(kv "$af" $k)
	done
	for k in accounted user_free fill_ring completion_ring kernel unpublished refs_held retries; do
		R[$mode,all_$k]=$(kv "$all" $k)
	done
	account "$mode"
	in_rx xdp-loader unload --all $IF_RX
	rm -rf /sys/fs/bpf/xsk-devmem
	link_cleanup
	areas_gone 20 || fail "$mode: areas left after the run"
}

# account MODE: the equations, each exact.
account() {
	local m=$1 sum
	v() { echo "${R[$m,$1]:-?}"; }
	# Every datagram sent, in exactly one class.
	sum=$(($(v intact) + $(v tx_dropped) + $(v fifo) + $(v drops) + $(v stack) + $(v xdp_drop) \
		+ $(v xdp_redirect) - $(v intact)))
	check "$m: sent = intact + tx dropped + FIFO + driver drops + to the stack + refused redirects + delivered not intact" \
		"$sum" "$(v sent)"
	check "$m: delivered to the socket (driver xdp_redirect) = read = intact" \
		"$(v xdp_redirect) $(v read)" "$(v intact) $(v intact)"
	check "$m: driver drops without a cause (drops - alloc_fail - dma_faults - unreadable)" \
		"$(($(v drops) - $(v alloc_fail) - $(v dma_faults) - $(v unreadable)))" 0
	check "$m: refused redirects (driver xdp_drop) = socket rx_ring_full + rx_dropped" \
		"$(v xdp_drop)" "$(($(v rx_ring_full) + $(v rx_dropped)))"
	check "$m: driver allocation failures = while bound + while closing + with no socket" \
		"$(v alloc_fail)" "$(($(v af_bound) + $(v af_closing) + $(v af_unbound)))"
	# A socket's counters can be read only until it is closed: a failure
	# while it closes (the provider still on the queue) is counted where
	# nobody can read it.
	check "$m: driver allocation failures while a socket closed (no readable counter)" \
		"$(v af_closing)" 0
	if [ "$m" = zc ]; then
		check "$m: driver allocation failures while bound = the sockets' empty dmabuf fill ring allocations" \
			"$(v af_bound)" "$(v dmabuf_fill_empty)"
		check "$m: socket rx_dropped for want of a chunk (none: the page pool has it)" \
			"$(v rx_dropped)" "$(v rx_fill_empty)"
	else
		check "$m: socket rx_dropped = empty dmabuf fill ring + empty host fill ring" \
			"$(v rx_dropped)" "$(($(v dmabuf_fill_empty) + $(v rx_fill_empty)))"
		check "$m: driver allocation failures (host pages)" "$(v alloc_fail)" 0
	fi
	check "$m: no socket bound: steer redirect_fail = to the stack + unreadable drops" \
		"$(v redirect_fail)" "$(($(v stack) + $(v unreadable)))"
	check "$m: to the stack = Udp NoPorts" "$(v noports)" "$(v stack)"
	check "$m: the rule's packets = what reached XDP (redirected + refused + passed)" \
		"$(v rule)" "$(($(v xdp_redirect) + $(v xdp_drop) + $(v redirect_fail)))"
	check "$m: sender tx_dropped = steer drops (no ntuple rule: 0)" "$(v tx_dropped) $(v steer_drops)" "0 0"
}

table() {
	local k m row
	printf '\n%-44s' "dmabuf_soak"
	for m in "$@"; do printf '%14s' "$m"; done
	printf '\n'
	while IFS='|' read -r k row; do
		printf '%-44s' "$row"
		for m in "$@"; do printf '%14s' "${R[$m,$k]:-}"; done
		printf '\n'
	done <<'EOF'
sent|packets sent
intact|delivered intact
tx_dropped|drop: sender device (tx_dropped)
fifo|drop: wire FIFO full
alloc_fail|drop: driver, no buffer (alloc_fail)
af_bound|  while a socket was bound
af_closing|  while a socket closed
af_unbound|  with no socket
dma_faults|drop: driver, DMA fault
stack|no socket: to the stack (Udp NoPorts)
unreadable|no socket: device-memory frags dropped
rx_ring_full|socket: RX ring full
dmabuf_fill_empty|socket: empty dmabuf fill ring
rx_fill_empty|socket: empty host fill ring
rx_dropped|socket: rx_dropped (all causes)
xdp_drop|driver: refused redirects (xdp_drop)
nchunks|chunks (last checkpoint)
user_free|  user space's hands
fill_ring|  dmabuf fill ring
completion_ring|  dmabuf completion ring
kernel|  kernel cache / page pool
unpublished|  of those: read, consumer not published
refs_held|  RX references held (zero copy)
k_user|  kernel says: user
k_kernel|  kernel says: kernel
k_pool|  kernel says: pool
checkpoints|checkpoints (all exact)
lag_checkpoints|  with unpublished fill ring reads
all_retries|  snapshots retaken (pool moved)
all_accounted|chunks accounted, all checkpoints
all_user_free|  user space's hands
all_fill_ring|  dmabuf fill ring
all_completion_ring|  dmabuf completion ring
all_kernel|  kernel cache / page pool
all_unpublished|  of those: read, consumer not published
all_refs_held|  RX references held (zero copy)
epochs|sockets bound
unbinds|chaos: unbinds
rebinds|chaos: rebinds
zc_bind_refused|chaos: zc bind refused (split off)
restarts|chaos: queue restarts
split_toggles|chaos: split toggles
split_off_refused|chaos: split off refused (zc bound)
slow_refills|chaos: slow refills
starved_unbinds|chaos: unbinds with the fill ring run dry
unbound_secs|chaos: time without a socket (s)
split_secs|chaos: time in ethtool (s)
secs|duration of sending (s)
pps|pkt/s
EOF
}

echo "dmabuf_soak: $N datagrams per mode, sizes $SIZES, seed $SEED"
IFS=+ read -r -a MODES <<<"${SOAK_MODES:-copy+zc}"
for m in "${MODES[@]}"; do
	case $m in
	copy|zc) soak "$m" ;;
	*) fail "no mode $m" ;;
	esac
done
table "${MODES[@]}"
rm -f $T.*
if checks_done dmabuf_soak; then echo "PASS dmabuf_soak"; else echo "FAIL dmabuf_soak"; exit 1; fi
