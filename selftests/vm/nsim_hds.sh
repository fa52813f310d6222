#!/bin/bash
# The reference driver (netdevsim with CONFIG_NETDEVSIM_HDS, patch 0008,
# docs/netdevsim-hds.md) on a linked pair of ports in two namespaces,
# 4 queues, MTU 9000, every count checked exactly against what was sent
# (the per-queue debugfs counters of the receiving port, ports/0/hds/queues):
#
#  * ethtool: -g shows tcp-data-split (off at start), -G tcp-data-split
#    on|off through the ethtool wrapper (selftests/lib/ethtool-nl), -K ntuple,
#    -N flow-type udp4|udp6|tcp4|tcp6 ... action Q (and -1: drop), -X equal
#    N / default, -L combined N (refused while a rule or the indirection
#    table uses a queue it would remove).
#  * UDP over IPv4 and IPv6, 22..8972-byte datagrams (multi-buffer frames
#    above a page), header split off and on: a flow with a rule arrives on
#    the rule's queue only, with packets, bytes, split and DMA bytes as sent,
#    no drop.
#  * TCP over IPv4 and IPv6 (1 MiB, content compared), split off and on, on
#    the rule's queue only: frames = the sender namespace's TCP segments out
#    (OutSegs + RetransSegs), bytes = their headers + the payload (exact
#    when nothing was retransmitted: the sender runs without timestamps,
#    SACK or window scaling, so only its SYN carries an option, the MSS).
#  * RSS: 64 UDP flows without a rule land on the queues that Toeplitz over
#    the port's key and indirection table (read back with ethtool -x)
#    predicts, flow by flow (selftests/lib/nsim_rss.py), for the default
#    table, -X equal 2, and after -L.
#  * The netdev qstats (ynl qstats-get) agree with debugfs.
#
# Needs `make` (udp_send) and `make ncdevmem` (the ynl CLI for the wrapper).
# Exit: 0 all passed, 1 a check failed, 4 skipped (no netdevsim with HDS).
# shellcheck source=selftests/lib/nsim.sh
. "$XSK_TOP/selftests/lib/nsim.sh"
# shellcheck source=selftests/lib/checks.sh
. "$XSK_TOP/selftests/lib/checks.sh"
set -u
export PATH=$NSIM_WRAP:$PATH
RSS=$XSK_TOP/selftests/lib/nsim_rss.py
T=/tmp/nsim_hds.$$
TCP_BYTES=${NSIM_HDS_TCP_BYTES:-1048576}
MTU=9000

# check WHAT GOT WANT
et() { in_rx ethtool "$@"; }
rule_count() { et -n $IF_RX | sed -n 's/^Total \([0-9]*\) rules$/\1/p'; }
# refused_rule WHAT RULE...: the driver must refuse the rule and hold the
# rules it held before. Debian 12's ethtool (6.1) exits 0 when the kernel
# refuses an -N insert (it prints "rmgr: Cannot insert RX class rule: ..."
# and returns success), so its exit status proves nothing either way.
refused_rule() {
	local what=$1 before after msg
	shift
	before=$(rule_count)
	msg=$(et -N $IF_RX "$@" 2>&1)
	after=$(rule_count)
	if [ "$after" = "$before" ] && [[ $msg == *"Cannot insert"* ]]; then
		ok "$what refused (${msg##*: }), rules still $after"
	else
		fail "$what: rules $before -> $after, ethtool said '$msg'"
	fi
}

for t in "$TOOLS/udp_send" "$NSIM_YNL/tools/net/ynl/cli.py"; do
	[ -e "$t" ] || { echo "FAIL: no $t (run 'make' and 'make ncdevmem')"; exit 1; }
done
command -v socat >/dev/null || { echo "FAIL: no socat (scripts/deps.sh)"; exit 1; }

nsim_pair 4 $MTU
rc=$?
[ $rc = 0 ] || { [ $rc = 4 ] || echo "FAIL: set-up of the netdevsim pair"; exit $rc; }
trap 'nsim_cleanup; rm -f $T.*' EXIT
# The sender's TCP: no option but the SYN's MSS (see tcp_case).
for k in tcp_timestamps tcp_sack tcp_window_scaling; do
	in_tx sysctl -q -w net.ipv4.$k=0
done
head -c "$TCP_BYTES" /dev/urandom > $T.payload

# --- counting ---------------------------------------------------------------

# The receiving port's counters of queue Q (or "all") in the table $T.delta.
f() { nsim_field $T.delta "$1" "$2"; }

# A TCP MIB counter of the sender's namespace (/proc/net/snmp: IPv4 and 6).
tcp_mib() {
	# shellcheck disable=SC2016
	in_tx awk -v n="$1" '$1 == "Tcp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
				 else print $c[n] }' /proc/net/snmp
}

# check_frames WHAT Q PACKETS BYTES SPLIT: what queue Q received since
# $T.snap, and that no other queue received anything, nothing was dropped.
check_frames() {
	local what=$1 q=$2 packets=$3 bytes=$4 split=$5 got want
	got="$(f "$q" packets) $(f "$q" bytes) $(f "$q" split) $(f "$q" dma_bytes)"
	want="$packets $bytes $split $bytes"
	got+=" / $(f all packets) $(f all drops) $(f all fifo_drops) $(f all alloc_fail) $(f all dma_faults)"
	want+=" / $packets 0 0 0 0"
	if [ "$got" = "$want" ]; then
		ok "$what: queue $q packets bytes split dma_bytes $got"
	else
		fail "$what: queue $q packets bytes split dma_bytes / all queues packets drops fifo_drops alloc_fail dma_faults: got $got, want $want"
		sed 's/^/     /' $T.delta
	fi
}

# --- traffic ------------------------------------------------------------------

# udp_case WHAT DST DPORT Q SPLIT COUNT SIZES: COUNT datagrams cycling
# through SIZES; all on queue Q, SPLIT 1 if each frame is split.
udp_case() {
	local what=$1 dst=$2 port=$3 q=$4 split=$5 n=$6 sizes=$7 hdr i bytes=0 sz
	case "$dst" in *:*) hdr=$((14 + 40 + 8)) ;; *) hdr=$((14 + 20 + 8)) ;; esac
	IFS=, read -ra sz <<<"$sizes"
	for ((i = 0; i < n; i++)); do bytes=$((bytes + hdr + sz[i % ${#sz[@]}])); done
	nsim_settle 1 || { fail "$what: the link is not quiet"; return; }
	nsim_snap rx > $T.snap
	in_tx "$TOOLS/udp_send" -d "$dst" -p "$port" -n "$n" -l "$sizes" -b 16 -g 300 >/dev/null ||
		{ fail "$what: udp_send"; return; }
	nsim_settle 1
	nsim_delta rx $T.snap > $T.delta
	check_frames "$what" "$q" "$n" "$bytes" $((split ? n : 0))
}

# tcp_case WHAT DST PORT Q SPLIT: $TCP_BYTES over one connection, received
# intact, every frame of it on queue Q.
tcp_case() {
	local what=$1 dst=$2 port=$3 q=$4 split=$5 hdr mss listen connect rx i
	local segs retrans packets bytes s data_min
	case "$dst" in
	*:*) hdr=$((14 + 40 + 20)) mss=$((MTU - 60))
	     listen=TCP6-LISTEN:$port,bind=[$dst],reuseaddr connect=TCP6:[$dst]:$port ;;
	*) hdr=$((14 + 20 + 20)) mss=$((MTU - 40))
	   listen=TCP4-LISTEN:$port,bind=$dst,reuseaddr connect=TCP4:$dst:$port ;;
	esac
	nsim_settle 1 || { fail "$what: the link is not quiet"; return; }
	nsim_snap rx > $T.snap
	segs=$(tcp_mib OutSegs) retrans=$(tcp_mib RetransSegs)
	rm -f $T.recv
	in_rx timeout 120 socat -u "$listen" "CREATE:$T.recv" &
	rx=$!
	for ((i = 0; i < 100; i++)); do
		in_rx ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.1
	done
	if ! in_tx timeout 120 socat -u "OPEN:$T.payload" "$connect"; then
		fail "$what: socat sender"; kill_tree $rx; return
	fi
	wait $rx || { fail "$what: socat receiver"; return; }
	cmp -s $T.payload $T.recv || { fail "$what: received data differs from what was sent"; return; }
	nsim_settle 1
	nsim_delta rx $T.snap > $T.delta
	segs=$(($(tcp_mib OutSegs) - segs)) retrans=$(($(tcp_mib RetransSegs) - retrans))
	packets=$((segs + retrans))
	# Every frame has the headers; the SYN adds its MSS option (4 bytes).
	bytes=$((packets * hdr + 4 + TCP_BYTES))
	s=$(f "$q" split)
	if [ "$retrans" != 0 ]; then
		# A retransmitted segment's size is not known here: the bytes
		# are checked as a lower bound only.
		echo "     note: $retrans segment(s) retransmitted: bytes checked as a lower bound"
		if [ "$(f "$q" bytes)" -ge "$bytes" ]; then bytes=$(f "$q" bytes); fi
	fi
	# With split on, each frame with payload is split (at least the
	# payload over the MSS; at most all but the SYN and handshake ACK).
	data_min=$(((TCP_BYTES + mss - 1) / mss))
	if [ "$split" = 1 ]; then
		if [ "$s" -lt "$data_min" ] || [ "$s" -gt $((packets - 2)) ]; then
			fail "$what: $s frames split, want $data_min..$((packets - 2))"
		fi
		split=$s
	fi
	check_frames "$what ($TCP_BYTES bytes intact, $packets segments)" "$q" "$packets" "$bytes" "$split"
}

# rss_case WHAT DST DPORT NQ: 64 UDP flows from scattered source ports,
# flow i sending 1 + i % 3 datagrams of 200 bytes, no rule matching: each
# of the NQ queues receives the datagrams of the flows nsim_rss.py maps to
# it from `ethtool -x` (Toeplitz being linear, equal counts per flow would
# come out even for many a wrong hash; unequal ones do not).
rss_case() {
	local what=$1 dst=$2 port=$3 nq=$4 hdr i sport q n sports="" got="" exp=""
	local -A want=() flows=()
	case "$dst" in *:*) hdr=$((14 + 40 + 8)) ;; *) hdr=$((14 + 20 + 8)) ;; esac
	for ((i = 0; i < 64; i++)); do
		sports+="${sports:+,}$((20000 + i * 7919 % 40000))"
	done
	et -x $IF_RX > $T.rss || { fail "$what: ethtool -x"; return; }
	/usr/bin/python3 "$RSS" --queues "$nq" --src "$(src_of "$dst")" --dst "$dst" \
		--dport "$port" --sports "$sports" < $T.rss > $T.pred ||
		{ fail "$what: nsim_rss.py"; return; }
	i=0
	while read -r sport q; do
		n=$((1 + i % 3))
		want[$q]=$((${want[$q]:-0} + n)) flows[$q]=$((${flows[$q]:-0} + 1))
		echo "$sport $n"
		i=$((i + 1))
	done < $T.pred > $T.flows
	nsim_settle 1 || { fail "$what: the link is not quiet"; return; }
	nsim_snap rx > $T.snap
	while read -r sport n; do
		in_tx "$TOOLS/udp_send" -d "$dst" -p "$port" -s "$sport" -n "$n" -l 200 -g 0 >/dev/null ||
			{ fail "$what: udp_send"; return; }
	done < $T.flows
	nsim_settle 1
	nsim_delta rx $T.snap > $T.delta
	n=0
	for ((q = 0; q < nq; q++)); do
		exp+=" q$q:${want[$q]:-0}/$((${want[$q]:-0} * (hdr + 200)))"
		got+=" q$q:$(f "$q" packets)/$(f "$q" bytes)"
		n=$((n + ${want[$q]:-0}))
	done
	# Queues beyond NQ (after -L) get nothing; nor is anything dropped.
	exp+=" all:$n drops:0"
	got+=" all:$(f all packets) drops:$(f all drops)"
	if [ "$got" = "$exp" ]; then
		ok "$what: packets/bytes per queue as Toeplitz predicts:$got"
	else
		fail "$what: got$got, want$exp"
		sed 's/^/     /' $T.delta
	fi
	# A spread that misses a queue is legal but worth seeing.
	for ((q = 0; q < nq; q++)); do
		[ "${flows[$q]:-0}" -gt 0 ] || echo "     note: no flow of the 64 hashes to queue $q"
	done
}

src_of() { case "$1" in *:*) echo "$ADDR6_TX" ;; *) echo "$ADDR_TX" ;; esac; }

# indir_max: the highest queue in the indirection table (ethtool -x).
indir_max() {
	et -x $IF_RX | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) if ($i > m) m = $i } END { print m + 0 }'
}
channels() { et -l $IF_RX | awk '/^Current hardware settings:/ { c = 1 } c && /^Combined:/ { print $2 }'; }
tds() { et -g $IF_RX | awk 'sub(/^TCP data split:[[:space:]]*/, "")'; }
split_set() {
	if et -G $IF_RX tcp-data-split "$1"; then
		check "ethtool -G tcp-data-split $1, then -g" "$(tds)" "$1"
	else
		fail "ethtool -G tcp-data-split $1"
	fi
}

# --- the port as ethtool sees it --------------------------------------------

check "ethtool -g: TCP data split at start" "$(tds)" off
check "ethtool -l: combined channels" "$(channels)" 4
check "ethtool -k: ntuple-filters at start" \
	"$(et -k $IF_RX | awk '/^ntuple-filters:/ { print $2 }')" off
check "debugfs queues: one line per RX queue" "$(($(nsim_snap rx | wc -l) - 1))" 4
if et -G $IF_RX tcp-data-split sideways 2>/dev/null; then
	fail "ethtool -G tcp-data-split sideways accepted"
else
	ok "ethtool -G tcp-data-split sideways refused"
fi
split_set on
split_set off
nsim_settle 2 30 || fail "the link did not go quiet after set-up"

# --- RSS with the default table: 4 queues -----------------------------------

rss_case "RSS default table, IPv4" "$ADDR_RX" 4001 4
rss_case "RSS default table, IPv6" "$ADDR6_RX" 4001 4

# --- flow rules and -X equal 2 ------------------------------------------------

refused_rule "ethtool -N with ntuple off" flow-type udp4 dst-port 4000 action 2
et -K $IF_RX ntuple on || fail "ethtool -K ntuple on"
et -X $IF_RX equal 2 || fail "ethtool -X equal 2"
check "ethtool -X equal 2: highest queue in the table" "$(indir_max)" 1
rules_ok=1
et -N $IF_RX flow-type udp4 dst-ip $ADDR_RX dst-port 4000 action 2 &&
et -N $IF_RX flow-type udp6 dst-ip $ADDR6_RX dst-port 4000 action 3 &&
et -N $IF_RX flow-type tcp4 src-ip $ADDR_TX dst-ip $ADDR_RX dst-port 5001 action 2 &&
et -N $IF_RX flow-type tcp6 dst-ip $ADDR6_RX dst-port 5001 action 3 &&
et -N $IF_RX flow-type udp4 dst-port 4002 action -1 || rules_ok=0
if [ $rules_ok = 1 ]; then ok "ethtool -N: 5 rules added"; else fail "ethtool -N: adding rules"; fi
check "ethtool -n: rules" "$(rule_count)" 5
refused_rule "ethtool -N action 4 (no such queue)" flow-type udp4 dst-port 4003 action 4
refused_rule "ethtool -N flow-type ether" flow-type ether dst 00:11:22:33:44:55 action 1

SIZES4=22,100,1000,1472,3000,4000,8972
SIZES6=22,100,1000,1452,3000,4000,8952
for split in off on; do
	split_set $split
	s=0; [ $split = on ] && s=1
	udp_case "UDP IPv4, split $split, rule -> queue 2" "$ADDR_RX" 4000 2 $s 70 $SIZES4
	udp_case "UDP IPv6, split $split, rule -> queue 3" "$ADDR6_RX" 4000 3 $s 70 $SIZES6
	tcp_case "TCP IPv4, split $split, rule -> queue 2" "$ADDR_RX" 5001 2 $s
	tcp_case "TCP IPv6, split $split, rule -> queue 3" "$ADDR6_RX" 5001 3 $s
done
rss_case "RSS -X equal 2, IPv4 (rules elsewhere)" "$ADDR_RX" 4001 2
rss_case "RSS -X equal 2, IPv6 (rules elsewhere)" "$ADDR6_RX" 4001 2

# A rule with action -1 drops: counted in steer_drops, on no queue.
nsim_settle 1
nsim_snap rx > $T.snap
d0=$(nsim_steer_drops rx)
in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p 4002 -n 20 -l 100 >/dev/null
nsim_settle 1
nsim_delta rx $T.snap > $T.delta
check "rule action -1: steer_drops, packets on any queue" \
	"$(($(nsim_steer_drops rx) - d0)) $(f all packets)" "20 0"

# --- -L against rules and the indirection table ------------------------------

if et -L $IF_RX combined 3 2>/dev/null; then
	fail "ethtool -L combined 3 accepted with a rule on queue 3"
else
	ok "ethtool -L combined 3 refused with a rule on queue 3"
fi
et -K $IF_RX ntuple off || fail "ethtool -K ntuple off"
check "ethtool -K ntuple off: rules left" "$(rule_count)" 0
if et -L $IF_RX combined 1 2>/dev/null; then
	fail "ethtool -L combined 1 accepted with queue 1 in the table"
else
	ok "ethtool -L combined 1 refused with queue 1 in the indirection table"
fi
if et -L $IF_RX combined 2; then
	check "ethtool -L combined 2" "$(channels)" 2
	rss_case "RSS after -L combined 2, IPv4" "$ADDR_RX" 4001 2
else
	fail "ethtool -L combined 2"
fi
# The default table spreads over the channels there are, and follows -L.
et -X $IF_RX default || fail "ethtool -X default"
check "ethtool -X default over 2 channels: highest queue in the table" "$(indir_max)" 1
if et -L $IF_RX combined 3; then
	check "ethtool -L combined 3" "$(channels)" 3
	check "-L combined 3, default table: highest queue in the table" "$(indir_max)" 2
	rss_case "RSS default table after -L combined 3, IPv6" "$ADDR6_RX" 4001 3
else
	fail "ethtool -L combined 3"
fi
et -L $IF_RX combined 4 || fail "ethtool -L combined 4"
check "-L combined 4, default table: highest queue in the table" "$(indir_max)" 3

# --- netdev qstats (netlink) against debugfs --------------------------------

nsim_settle 1
nsim_snap rx > $T.now
ifindex=$(nsim_ifindex rx $IF_RX)
if nsim_ynl rx netdev --dump qstats-get --json "{\"ifindex\": $ifindex, \"scope\": \"queue\"}" \
	> $T.qstats 2>&1; then
	got=$(/usr/bin/python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
print(" ".join("q%d:%d/%d" % (r["queue-id"], r.get("rx-packets", 0), r.get("rx-bytes", 0))
               for r in sorted(rows, key=lambda r: r["queue-id"]) if r.get("queue-type") == "rx"))
' $T.qstats)
	qwant=$(awk 'NR > 1 { printf "%sq%d:%d/%d", (NR > 2 ? " " : ""), $1, $2, $3 }' $T.now)
	check "qstats-get per RX queue = debugfs packets/bytes" "$got" "$qwant"
else
	fail "ynl netdev qstats-get: $(head -n 3 $T.qstats)"
fi

checks_done nsim_hds
