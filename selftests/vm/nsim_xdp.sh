#!/bin/bash
# Native XDP on the reference driver (netdevsim with CONFIG_NETDEVSIM_HDS,
# patch 0008, docs/netdevsim-hds.md): a linked pair of ports in two
# namespaces (2 queues), plus a veth pair from the receiving namespace to a
# third one, every count checked exactly against what was sent:
#
#  * every verdict of selftests/bpf/nsim_xdp.bpf.o (xdp.frags) on UDP to one
#    port, at MTU 1500 with header split off and on, and at MTU 9000
#    (multi-buffer, 22..8972-byte datagrams): the receiving port's debugfs
#    counters (packets bytes split xdp_drop xdp_tx xdp_redirect drops, all
#    queues), what the program saw (frames, bpf_xdp_get_buff_len() sum and
#    maximum, linear bytes: headers only with split on, frames with frags),
#    the receiving namespace's UDP MIB, and the xdp:xdp_exception
#    tracepoint (ABORTED frames only, no failed redirect):
#      PASS     the datagrams reach a UDP socket, content intact (IPv4, IPv6)
#      DROP     counted in xdp_drop, nothing delivered, the page pools'
#               inflight does not grow (buffers recycled)
#      ABORTED  counted in xdp_drop and the tracepoint, nothing delivered
#      TX       (addresses swapped) back on the sender's port: its counters,
#               a socket there receives them intact
#      REDIRECT devmap -> a veth (to a socket in the third namespace), cpumap
#               (to the socket), XSKMAP (selftests/tools/xsk_rx, copy mode,
#               on queue 1 by an ntuple rule; --sg at MTU 9000)
#    and a redirect TO the port from the veth (ndo_xdp_xmit, multi-buffer at
#    MTU 9000): frames on the peer port's counters, a socket there.
#  * a program without frags support (nsim_xdp_nofrags.bpf.o): whole frames
#    linear, never split; attach refused above the largest MTU whose frame
#    fits the head buffer, MTU changes past it refused while attached
#    (errno and extack shown).
#  * libxdp's dispatcher: xdp-loader load -m native of two objects,
#    xdp-loader status lists both, each counts every datagram, the socket
#    gets them all.
#  * xdp_features (ynl netdev dev-get) = the features shown to work here
#    (plus netdevsim's hw-offload).
#  * no page pool left (ynl netdev page-pool-get in both namespaces: nothing
#    inflight) once the devices are gone.
#
# Needs `make` (BPF objects, udp_send, udp_recv, xsk_rx) and `make ncdevmem`
# (the ynl CLI). Exit: 0 all passed, 1 a check failed, 4 skipped (no
# netdevsim with HDS).
# shellcheck source=selftests/lib/nsim.sh
. "$XSK_TOP/selftests/lib/nsim.sh"
# shellcheck source=selftests/lib/checks.sh
. "$XSK_TOP/selftests/lib/checks.sh"
set -u
export PATH=$NSIM_WRAP:$PATH
T=/tmp/nsim_xdp.$$
# (bpffs refuses names with a dot)
PIN=/sys/fs/bpf/nsim_xdp_$$
OBJ=$XSK_BUILD/selftests/bpf/nsim_xdp.bpf.o
OBJ_NOFRAGS=$XSK_BUILD/selftests/bpf/nsim_xdp_nofrags.bpf.o
TRACE=/sys/kernel/tracing
NS_3=xsk3$$ IF_V0=nsimv0 IF_V1=nsimv1
PORT=5000
# The driver's head buffer: a page less the XDP headroom (256) and the
# aligned skb_shared_info (320 on x86-64): frames up to this size are
# linear when split is off, and a program without frags support can have
# an MTU up to this less an Ethernet header with two VLAN tags (22).
HEAD_MAX=3520
SETTLED=0

# Failures are also kept in $T.fails: the xdp_features check reads them.
CHECKS_FAIL_LOG=$T.fails
# check WHAT GOT WANT
in_3() { nsenter --net=/var/run/netns/$NS_3 "$@"; }
et() { in_rx ethtool "$@"; }

for t in "$TOOLS/udp_send" "$TOOLS/udp_recv" "$TOOLS/xsk_rx" "$OBJ" "$OBJ_NOFRAGS" \
	"$NSIM_YNL/tools/net/ynl/cli.py"; do
	[ -e "$t" ] || { echo "FAIL: no $t (run 'make' and 'make ncdevmem')"; exit 1; }
done
for c in bpftool xdp-loader jq; do
	command -v $c >/dev/null || { echo "FAIL: no $c (scripts/deps.sh)"; exit 1; }
done

cleanup() {
	[ -e /var/run/netns/$NS_RX ] && in_rx xdp-loader unload --all $IF_RX >/dev/null 2>&1
	[ -w $TRACE/events/xdp/xdp_exception/enable ] &&
		echo 0 > $TRACE/events/xdp/xdp_exception/enable
	nsim_cleanup
	ip netns del $NS_3 2>/dev/null
	rm -rf "$PIN" $T.*
	xdp-loader clean >/dev/null 2>&1
	return 0
}

nsim_pair 2 1500
rc=$?
[ $rc = 0 ] || { [ $rc = 4 ] || echo "FAIL: set-up of the netdevsim pair"; cleanup; exit $rc; }
trap cleanup EXIT
IFI_RX=$(nsim_ifindex rx $IF_RX)
MAC_TX=$(in_tx ip -br link show dev $IF_TX | awk '{ print $3 }')
MAC_RX=$(in_rx ip -br link show dev $IF_RX | awk '{ print $3 }')

# The third namespace: a veth from the receiving namespace ($IF_V0) to it
# ($IF_V1), which looks like the receiving port (its MAC, $ADDR_RX) so that
# frames redirected out of $IF_V0 reach its stack, and which sends to the
# sender's port through $IF_V0 and a redirect to $IF_RX.
ip netns add $NS_3 || { echo "FAIL: netns"; exit 1; }
in_3 sysctl -q -w net.ipv6.conf.default.disable_ipv6=1
in_3 sysctl -q -w net.ipv6.conf.all.disable_ipv6=1
in_rx ip link add $IF_V0 type veth peer name $IF_V1 netns $NS_3 &&
	in_3 ip link set lo up &&
	in_3 ip link set $IF_V1 address "$MAC_RX" &&
	in_3 ip addr add $ADDR_RX/24 dev $IF_V1 &&
	in_3 ip neigh add $ADDR_TX lladdr "$MAC_TX" dev $IF_V1 nud permanent &&
	in_3 ip link set $IF_V1 up && in_rx ip link set $IF_V0 up ||
	{ echo "FAIL: veth to the third namespace"; exit 1; }
IFI_V0=$(nsim_ifindex rx $IF_V0)

# Frames to $PORT on queue 1 (the XSK's), IPv4 and IPv6.
et -K $IF_RX ntuple on &&
	et -N $IF_RX flow-type udp4 dst-port $PORT action 1 &&
	et -N $IF_RX flow-type udp6 dst-port $PORT action 1 ||
	{ echo "FAIL: ntuple rules"; exit 1; }
nsim_settle 2 30 || { echo "FAIL: the link did not go quiet after set-up"; exit 1; }
SETTLED=1

if [ -d $TRACE/events/xdp ] || mount -t tracefs tracefs $TRACE 2>/dev/null; then
	echo 1 > $TRACE/events/xdp/xdp_exception/enable
else
	echo "FAIL: no tracefs"; exit 1
fi

# --- programs: loaded and pinned with their maps under $PIN/NAME ----------

le32() { echo $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
# prog_load NAME OBJ
prog_load() {
	rm -rf "${PIN:?}/$1"
	mkdir -p "$PIN/$1" && bpftool prog load "$2" "$PIN/$1/prog" pinmaps "$PIN/$1"
}
# prog_attach SIDE IF NAME: native XDP (bpftool shows errno and extack)
prog_attach() { "in_$1" bpftool net attach xdpdrv pinned "$PIN/$3/prog" dev "$2" overwrite; }
prog_detach() { "in_$1" bpftool net detach xdpdrv dev "$2"; }
# cfg_set NAME PORT ACTION [CPU]
cfg_set() {
	bpftool map update pinned "$PIN/$1/cfg" key 0 0 0 0 \
		value $(le32 "$2") $(le32 "$3") $(le32 "${4:-0}")
}
# stats NAME: frames len linear multi max_len other (nsim_xdp.h)
stats() { bpftool -j map dump pinned "$PIN/$1/stats" | jq -r '[.[].formatted.value] | join(" ")'; }
# stats_zero NAME...: one bpftool for all (each costs under TCG).
stats_zero() {
	local i p
	for p in "$@"; do
		for ((i = 0; i < 6; i++)); do
			echo "map update pinned $PIN/$p/stats key $(le32 $i) value 0 0 0 0 0 0 0 0"
		done
	done | bpftool batch file - >/dev/null
}
# What the program saw of the matched frames: "frames len linear multi max".
seen() { stats "$1" | cut -d' ' -f1-5; }
ACT_PASS=0 ACT_DROP=1 ACT_TX=2 ACT_ABORTED=3 ACT_DEV=4 ACT_CPU=5 ACT_XSK=6

# --- counting -------------------------------------------------------------

# fields TABLE QUEUE NAME...: counters of a nsim_snap/nsim_delta table in
# one awk (nsim_field reads one; under TCG every process counts).
fields() {
	awk -v q="$2" -v names="${*:3}" '
		BEGIN { n = split(names, nm, " ") }
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
			  for (k = 1; k <= n; k++)
				if (!(nm[k] in col)) { print "fields: no " nm[k] > "/dev/stderr"; bad = 1; exit 1 }
			  next }
		q == "all" || $1 == q { for (k = 1; k <= n; k++) sum[k] += $col[nm[k]] }
		END { if (bad) exit 1
		      for (k = 1; k <= n; k++) printf "%s%d", (k > 1 ? " " : ""), sum[k]
		      print "" }' "$1"
}
f() { fields $T.delta "$@"; }
ftx() { fields $T.delta_tx "$@"; }

# settle: wait until neither port's counters change for 0.6 s (at most
# 30 s); nsim_settle's granularity is a second.
settle() {
	local last="" now still=0 i dtx drx
	dtx=$(nsim_hds_dir tx) drx=$(nsim_hds_dir rx)
	for ((i = 0; i < 150; i++)); do
		now=$(cat "$dtx/queues" "$drx/queues")
		if [ "$now" = "$last" ]; then
			still=$((still + 1))
			[ $still -ge 3 ] && return 0
		else
			still=0
		fi
		last=$now
		sleep 0.2
	done
	echo "settle: the link did not go quiet within 30 s" >&2
	return 1
}
hdr_of() { case "$1" in *:*) echo 62 ;; *) echo 42 ;; esac; }
src_of() { case "$1" in *:*) echo "$ADDR6_TX" ;; *) echo "$ADDR_TX" ;; esac; }

# expect DST N SIZES: E_BYTES (frame bytes), E_MAX (largest frame), E_BIG
# (frames over the head buffer), E_LIN (their linear bytes, split off).
expect() {
	# (no <(...): the guest has no /dev/fd)
	read -r E_BYTES E_MAX E_BIG E_LIN <<<"$(awk -v hdr="$(hdr_of "$1")" -v n="$2" \
		-v sizes="$3" -v hm=$HEAD_MAX 'BEGIN { k = split(sizes, s, ",")
			for (i = 0; i < n; i++) {
				fl = hdr + s[i % k + 1]; b += fl; if (fl > m) m = fl
				if (fl > hm) { big++; lin += hm } else lin += fl
			}
			print b, m, big + 0, lin }')"
}

# UDP datagrams that reached the stack of a namespace (delivered, no port,
# errors; IPv4 and IPv6).
udp_in() {
	"in_$1" cat /proc/net/snmp /proc/net/snmp6 |
		awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 }
				    else n += $c["InDatagrams"] + $c["NoPorts"] + $c["InErrors"] }
		     $1 ~ /^Udp6(InDatagrams|NoPorts|InErrors)$/ { n += $2 }
		     END { print n + 0 }'
}

# xdp:xdp_exception events for ABORTED (and any other action) on IFINDEX.
exceptions() {
	awk -v i="ifindex=$1" '/xdp_exception:/ && $NF == i {
		for (k = 1; k <= NF; k++) if ($k ~ /^action=/) a[substr($k, 8)]++ }
		END { printf "ABORTED=%d", a["ABORTED"]; delete a["ABORTED"]
		      for (k in a) printf " %s=%d", k, a[k]; print "" }' $TRACE/trace
}

# Pages inflight in the page pools of the receiving port (ynl).
pp_inflight() {
	nsim_ynl rx netdev --dump page-pool-get |
		jq --argjson i "$IFI_RX" '[.[] | select(.ifindex == $i) | .inflight // 0] | add // 0'
}

# recv_start SIDE ADDR COUNT: a UDP socket on ADDR:$PORT in that namespace.
recv_start() {
	rm -f $T.recv
	"in_$1" "$TOOLS/udp_recv" -a "$2" -p $PORT -n "$3" -t 60 > $T.recv 2>&1 &
	RECV=$!
	wait_line $T.recv 'udp_recv: ready' 30
}
# recv_check WHAT: the receiver's verdict.
recv_check() {
	if wait $RECV; then
		ok "$1: $(grep -v ready $T.recv)"
	else
		fail "$1: $(grep -v ready $T.recv | tr '\n' ' ')"
	fi
}

# --- one verdict ------------------------------------------------------------

# xdp_case WHAT PROG ACTION DST N SIZES SPLIT: N datagrams (SIZES in turn)
# from the sender to DST:$PORT, the program PROG (attached to $IF_RX)
# giving them ACTION; SPLIT 1 if header split is on (and PROG sees frags).
xdp_case() {
	local what=$1 prog=$2 act=$3 dst=$4 n=$5 sizes=$6 split=$7
	local want got lin multi xsk="" pp0="" pp1 mib0 mib
	expect "$dst" "$n" "$sizes"
	local t0=$SECONDS
	cfg_set "$prog" $PORT "$act" 1 && stats_zero "$prog" v1 || { fail "$what: maps"; return; }
	# The previous case ended on a quiet link; nothing since sends.
	if [ "$SETTLED" != 1 ]; then
		settle || { fail "$what: the link is not quiet"; return; }
	fi
	SETTLED=0
	RECV=""
	case $act in
	"$ACT_PASS"|"$ACT_CPU") recv_start rx "$dst" "$n" ;;
	"$ACT_TX") recv_start tx "$(src_of "$dst")" "$n" ;;
	"$ACT_DEV") recv_start 3 "$dst" "$n" ;;
	"$ACT_XSK")
		rm -f $T.xsk
		in_rx "$TOOLS/xsk_rx" -i $IF_RX -q 1 -p $PORT -n "$n" -m native -t 60 \
			--xskmap "$PIN/$prog/xsks" $([ "$MTU" -gt 4000 ] && echo --sg) > $T.xsk 2>&1 &
		xsk=$!
		wait_line $T.xsk 'xsk_rx: ready' 30 ;;
	"$ACT_DROP") pp0=$(pp_inflight) ;;
	esac
	nsim_snap rx > $T.snap
	nsim_snap tx > $T.snap_tx
	mib0=$(udp_in rx)
	echo > $TRACE/trace
	in_tx "$TOOLS/udp_send" -d "$dst" -p $PORT -n "$n" -l "$sizes" -b 16 -g 300 >/dev/null ||
		fail "$what: udp_send"
	[ -n "$RECV" ] && recv_check "$what: socket"
	if [ -n "$xsk" ]; then
		if wait $xsk; then
			ok "$what: XSK $(grep -m1 intact $T.xsk)"
		else
			fail "$what: XSK"; sed 's/^/     /' $T.xsk
		fi
	fi
	settle && SETTLED=1
	nsim_delta rx $T.snap > $T.delta
	nsim_delta tx $T.snap_tx > $T.delta_tx
	mib=$(($(udp_in rx) - mib0))

	# The receiving port's counters: a frame is counted where its verdict
	# sent it, never twice.
	got="$(f all packets bytes split xdp_drop xdp_tx xdp_redirect drops alloc_fail)"
	got+=" / q1 $(f 1 dma_bytes)"
	case $act in
	"$ACT_PASS") want="$n $E_BYTES $((split ? n : 0)) 0 0 0" ;;
	"$ACT_DROP"|"$ACT_ABORTED") want="0 0 0 $n 0 0" ;;
	"$ACT_TX") want="0 0 0 0 $n 0" ;;
	*) want="0 0 0 0 0 $n" ;;
	esac
	want+=" 0 0 / q1 $E_BYTES"
	if [ "$got" = "$want" ]; then
		ok "$what: $IF_RX packets bytes split xdp_drop xdp_tx xdp_redirect drops alloc_fail / q1 dma_bytes: $got"
	else
		fail "$what: $IF_RX packets bytes split xdp_drop xdp_tx xdp_redirect drops alloc_fail / q1 dma_bytes: got $got, want $want"
		sed 's/^/     /' $T.delta
	fi

	# What the program saw: the whole frame, the headers alone linear with
	# split on, the frame linear up to the head buffer's size with it off
	# (a program without frags support: always all of it).
	if [ "$split" = 1 ]; then
		lin=$((n * $(hdr_of "$dst"))) multi=$n
	elif [ "$prog" = nofrags ]; then
		lin=$E_BYTES multi=0
	else
		lin=$E_LIN multi=$E_BIG
	fi
	check "$what: program saw frames len linear multi-buffer max_len" \
		"$(seen "$prog")" "$n $E_BYTES $lin $multi $E_MAX"
	check "$what: UDP datagrams into $NS_RX's stack" "$mib" \
		"$(case $act in "$ACT_PASS"|"$ACT_CPU") echo "$n" ;; *) echo 0 ;; esac)"
	check "$what: xdp_exception events on $IF_RX" "$(exceptions "$IFI_RX")" \
		"ABORTED=$([ "$act" = $ACT_ABORTED ] && echo "$n" || echo 0)"

	case $act in
	"$ACT_TX")
		check "$what: back on $IF_TX: packets bytes drops" \
			"$(ftx all packets bytes drops)" "$n $E_BYTES 0" ;;
	"$ACT_DEV")
		check "$what: $IF_V1's program saw frames len max_len" \
			"$(seen v1 | awk '{ print $1, $2, $5 }')" "$n $E_BYTES $E_MAX" ;;
	"$ACT_DROP")
		# Recycled buffers go back to the pools' caches: dropping
		# needs no new page (a leak would add up to n pages or more).
		pp1=$(pp_inflight)
		if [ -n "$pp0" ] && [ -n "$pp1" ] && [ "$pp1" -le "$pp0" ]; then
			ok "$what: page pools inflight $pp0 -> $pp1 (no growth)"
		else
			fail "$what: page pools inflight $pp0 -> $pp1"
		fi ;;
	esac
	[ "$act" = $ACT_TX ] || check "$what: nothing on $IF_TX" "$(ftx all packets)" 0
	echo "     ($((SECONDS - t0)) s)"
}

# xmit_case WHAT N SIZES: N datagrams from the third namespace to the
# sender's address, redirected by $IF_V0's program to $IF_RX
# (ndo_xdp_xmit), which puts them on the wire to $IF_TX.
xmit_case() {
	local what=$1 n=$2 sizes=$3 big=$4
	expect "$ADDR_TX" "$n" "$sizes"
	stats_zero v0 || { fail "$what: maps"; return; }
	if [ "$SETTLED" != 1 ]; then
		settle || { fail "$what: the link is not quiet"; return; }
	fi
	SETTLED=0
	recv_start tx "$ADDR_TX" "$n"
	nsim_snap rx > $T.snap
	nsim_snap tx > $T.snap_tx
	echo > $TRACE/trace
	in_3 "$TOOLS/udp_send" -d "$ADDR_TX" -p $PORT -n "$n" -l "$sizes" -b 16 -g 300 >/dev/null ||
		fail "$what: udp_send"
	recv_check "$what: socket on $IF_TX's side"
	settle && SETTLED=1
	nsim_delta rx $T.snap > $T.delta
	nsim_delta tx $T.snap_tx > $T.delta_tx
	check "$what: $IF_V0's program redirected frames len max_len" \
		"$(seen v0 | awk '{ print $1, $2, $5 }')" "$n $E_BYTES $E_MAX"
	if [ "$big" = 1 ]; then
		# The veth hands frames over a page as multi-buffer.
		local m
		m=$(seen v0 | awk '{ print $4 }')
		if [ "$m" -gt 0 ]; then ok "$what: $m of them multi-buffer"; else fail "$what: none multi-buffer"; fi
	fi
	check "$what: $IF_TX packets bytes drops" \
		"$(ftx all packets bytes drops)" "$n $E_BYTES 0"
	check "$what: nothing received on $IF_RX" "$(f all packets xdp_redirect)" "0 0"
	check "$what: xdp_exception events" "$(exceptions "$IFI_V0") $(exceptions "$IFI_RX")" \
		"ABORTED=0 ABORTED=0"
}

split_set() {
	if et -G $IF_RX tcp-data-split "$1"; then
		ok "ethtool -G $IF_RX tcp-data-split $1"
	else
		fail "ethtool -G $IF_RX tcp-data-split $1"
	fi
}

# set_mtu MTU: the nsim pair and the veth pair.
set_mtu() {
	MTU=$1 SETTLED=0
	in_tx ip link set $IF_TX mtu "$1" && in_rx ip link set $IF_RX mtu "$1" &&
		in_rx ip link set $IF_V0 mtu "$1" && in_3 ip link set $IF_V1 mtu "$1"
}

# refused WHAT WANT_MSG CMD...: CMD must fail, saying WANT_MSG.
refused() {
	local what=$1 want=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$what: accepted"
	elif [[ $out == *"$want"* ]]; then
		ok "$what: refused: $(tr '\n' ' ' <<<"$out" | sed 's/  */ /g')"
	else
		fail "$what: refused, but not with '$want': $out"
	fi
}

# --- the programs ------------------------------------------------------------

prog_load main "$OBJ" && prog_load nofrags "$OBJ_NOFRAGS" && prog_load v0 "$OBJ" &&
	prog_load v1 "$OBJ" || { echo "FAIL: loading the programs"; exit 1; }
# $IF_V1 counts and passes (its program also lets the veth take
# ndo_xdp_xmit frames); $IF_V0 sends datagrams to $PORT to $IF_RX.
cfg_set v1 $PORT $ACT_PASS && cfg_set v0 $PORT $ACT_DEV &&
	in_rx bpftool map update pinned "$PIN/main/devs" key 0 0 0 0 value $(le32 "$IFI_V0") &&
	in_rx bpftool map update pinned "$PIN/v0/devs" key 0 0 0 0 value $(le32 "$IFI_RX") &&
	bpftool map update pinned "$PIN/main/cpus" key $(le32 1) value $(le32 512) 0 0 0 0 ||
	{ echo "FAIL: setting up the maps"; exit 1; }
prog_attach 3 $IF_V1 v1 && prog_attach rx $IF_V0 v0 ||
	{ echo "FAIL: XDP on the veth pair"; exit 1; }
MTU=1500

# --- a program without frags support ----------------------------------------

NF_MAX=$((HEAD_MAX - 22))
if prog_attach rx $IF_RX nofrags; then
	ok "nofrags program attached at MTU 1500"
	refused "MTU 9000 with the nofrags program attached" "Device or resource busy" \
		in_rx ip link set $IF_RX mtu 9000
	refused "MTU $((NF_MAX + 1)) with the nofrags program attached" "Device or resource busy" \
		in_rx ip link set $IF_RX mtu $((NF_MAX + 1))
	if in_rx ip link set $IF_RX mtu $NF_MAX && in_rx ip link set $IF_RX mtu 1500; then
		ok "MTU $NF_MAX (the largest frame in the head buffer) accepted with it"
	else
		fail "MTU $NF_MAX refused with the nofrags program attached"
	fi
	split_set on
	xdp_case "nofrags PASS IPv4, split on (frames stay whole)" nofrags $ACT_PASS "$ADDR_RX" 60 22,100,1000,1472 0
	split_set off
	prog_detach rx $IF_RX || fail "detach the nofrags program"
else
	fail "nofrags program refused at MTU 1500"
fi

# --- every verdict, MTU 1500 --------------------------------------------------

prog_attach rx $IF_RX main || { echo "FAIL: attaching nsim_xdp.bpf.o"; exit 1; }
SIZES4=22,100,1000,1472 SIZES6=22,100,1000,1452
for split in off on; do
	split_set $split
	s=0; [ $split = on ] && s=1
	xdp_case "PASS IPv4, split $split" main $ACT_PASS "$ADDR_RX" 100 $SIZES4 $s
	xdp_case "PASS IPv6, split $split" main $ACT_PASS "$ADDR6_RX" 100 $SIZES6 $s
	xdp_case "DROP, split $split" main $ACT_DROP "$ADDR_RX" 400 $SIZES4 $s
	xdp_case "ABORTED, split $split" main $ACT_ABORTED "$ADDR6_RX" 100 $SIZES6 $s
	xdp_case "TX IPv4, split $split" main $ACT_TX "$ADDR_RX" 100 $SIZES4 $s
	xdp_case "TX IPv6, split $split" main $ACT_TX "$ADDR6_RX" 100 $SIZES6 $s
	xdp_case "REDIRECT devmap -> $IF_V0, split $split" main $ACT_DEV "$ADDR_RX" 100 $SIZES4 $s
	xdp_case "REDIRECT cpumap -> cpu 1, split $split" main $ACT_CPU "$ADDR_RX" 100 $SIZES4 $s
	xdp_case "REDIRECT xskmap -> XSK queue 1, split $split" main $ACT_XSK "$ADDR_RX" 100 $SIZES4 $s
done
xmit_case "REDIRECT $IF_V0 -> $IF_RX (ndo_xdp_xmit)" 100 $SIZES4 0
prog_detach rx $IF_RX || fail "detach nsim_xdp.bpf.o"

# --- libxdp's dispatcher -------------------------------------------------------

split_set on
if in_rx xdp-loader load -m native $IF_RX "$OBJ" && in_rx xdp-loader load -m native $IF_RX "$OBJ_NOFRAGS"; then
	in_rx xdp-loader status $IF_RX > $T.status
	sed 's/^/     /' $T.status
	check "xdp-loader status: dispatcher on $IF_RX, native" \
		"$(grep -c "^$IF_RX .*xdp_dispatcher *native" $T.status)" 1
	check "xdp-loader status: programs behind it" "$(grep -c '=> .*nsim_xdp' $T.status)" 2
	ids=$(awk '$1 == "=>" && $3 == "nsim_xdp" { print $4 }' $T.status)
	# Each program's stats map (not pinned: found through the program).
	bpftool -j map show > $T.maps
	smaps=""
	for id in $ids; do
		smaps+=" $(jq --argjson ids "$(bpftool -j prog show id "$id" | jq -c .map_ids)" \
			'.[] | select(.name == "stats" and (.id as $i | $ids | index($i))) | .id' $T.maps)"
	done
	settle
	nsim_snap rx > $T.snap
	recv_start rx "$ADDR_RX" 100
	in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n 100 -l $SIZES4 -b 16 -g 300 >/dev/null
	recv_check "dispatcher: socket"
	settle && SETTLED=1
	nsim_delta rx $T.snap > $T.delta
	got=""
	for m in $smaps; do
		got+="${got:+ / }$(bpftool -j map dump id "$m" | jq -r '[.[].formatted.value][0:2] | join(" ")')"
	done
	expect "$ADDR_RX" 100 $SIZES4
	check "dispatcher: each program counted frames len" "$got" "100 $E_BYTES / 100 $E_BYTES"
	# The nofrags program makes the dispatcher a program without frags
	# support: frames whole, no split.
	check "dispatcher: $IF_RX packets bytes split" \
		"$(f all packets bytes split)" "100 $E_BYTES 0"
	in_rx xdp-loader unload --all $IF_RX || fail "xdp-loader unload --all"
	check "xdp-loader status after unload --all: dispatcher" \
		"$(in_rx xdp-loader status $IF_RX | grep -c xdp_dispatcher)" 0
else
	fail "xdp-loader load -m native of nsim_xdp.bpf.o and nsim_xdp_nofrags.bpf.o"
	in_rx xdp-loader unload --all $IF_RX 2>/dev/null
fi

# --- multi-buffer: MTU 9000 ----------------------------------------------------

set_mtu 9000 || fail "MTU 9000 on the pairs"
refused "nofrags program at MTU 9000" "MTU too large for an XDP program without frags support" \
	prog_attach rx $IF_RX nofrags
prog_attach rx $IF_RX main || { echo "FAIL: attaching nsim_xdp.bpf.o at MTU 9000"; exit 1; }
SIZES4=22,1472,3000,4000,8972 SIZES6=22,1452,3000,4000,8952
# Split off: the frame in host pages (3.5 KB linear, the rest frags); on:
# headers linear, payload frags. Every verdict with split on; the ones
# that differ in what they do with frags (pass, drop) with split off too.
for split in off on; do
	split_set $split
	s=0; [ $split = on ] && s=1
	xdp_case "MTU 9000 PASS IPv4, split $split" main $ACT_PASS "$ADDR_RX" 50 $SIZES4 $s
	xdp_case "MTU 9000 PASS IPv6, split $split" main $ACT_PASS "$ADDR6_RX" 50 $SIZES6 $s
	xdp_case "MTU 9000 DROP, split $split" main $ACT_DROP "$ADDR_RX" 200 $SIZES4 $s
done
xdp_case "MTU 9000 ABORTED, split on" main $ACT_ABORTED "$ADDR_RX" 50 $SIZES4 1
xdp_case "MTU 9000 TX, split on" main $ACT_TX "$ADDR_RX" 50 $SIZES4 1
xdp_case "MTU 9000 REDIRECT devmap -> $IF_V0, split on" main $ACT_DEV "$ADDR_RX" 50 $SIZES4 1
xdp_case "MTU 9000 REDIRECT cpumap, split on" main $ACT_CPU "$ADDR_RX" 50 $SIZES4 1
xdp_case "MTU 9000 REDIRECT XSK (--sg), split on" main $ACT_XSK "$ADDR_RX" 50 $SIZES4 1
xmit_case "MTU 9000 REDIRECT $IF_V0 -> $IF_RX (ndo_xdp_xmit, multi-buffer)" 50 $SIZES4 1
split_set off
prog_detach rx $IF_RX || fail "detach nsim_xdp.bpf.o"
prog_detach rx $IF_V0
prog_detach 3 $IF_V1

# --- xdp_features ---------------------------------------------------------------

# What worked above, by feature: every verdict (basic), redirect from the
# port (redirect), to it (ndo-xmit), multi-buffer frames in (rx-sg) and
# out through ndo_xdp_xmit (ndo-xmit-sg).
feat_ok() { ! grep -q "$1" $T.fails 2>/dev/null; }
works=hw-offload
feat_ok "PASS\|DROP\|ABORTED\|TX" && works+=" basic"
feat_ok "REDIRECT devmap\|REDIRECT cpumap\|REDIRECT xskmap\|REDIRECT XSK" && works+=" redirect"
feat_ok "(ndo_xdp_xmit" && works+=" ndo-xmit"
feat_ok "MTU 9000 PASS\|MTU 9000 DROP\|MTU 9000 TX\|MTU 9000 REDIRECT devmap\|MTU 9000 REDIRECT cpumap\|MTU 9000 REDIRECT XSK" &&
	works+=" rx-sg"
feat_ok "multi-buffer)" && works+=" ndo-xmit-sg"
if nsim_ynl rx netdev --do dev-get --json "{\"ifindex\": $IFI_RX}" > $T.dev 2>&1; then
	echo "     $(cat $T.dev)"
	check "xdp_features of $IF_RX (ynl dev-get) = what works" \
		"$(jq -r '.["xdp-features"] | sort | join(" ")' $T.dev)" \
		"$(tr ' ' '\n' <<<"$works" | sort | tr '\n' ' ' | sed 's/ $//')"
else
	fail "ynl netdev dev-get: $(head -n 3 $T.dev)"
fi

# --- page pools once the devices are gone ----------------------------------------

# pools_inflight SIDE: the page pools of that namespace with pages inflight
# ("[]": none), as ynl page-pool-get lists them; a pool whose device went
# while pages were out stays listed (on lo, with a detach-time).
pools_inflight() {
	nsim_ynl "$1" netdev --dump page-pool-get 2>&1 |
		jq -c '[.[] | select((.inflight // 0) > 0) | {id, ifindex, inflight, "detach-time"}]'
}
# The control: a page held (netdevsim's pp_hold) while the port goes down
# keeps its pool listed with it inflight, until it is released.
hold=$NSIM_DFS/netdevsim$NSIM_ID_RX/ports/0/pp_hold
if echo 1 > "$hold" && in_rx ip link set $IF_RX down; then
	left=$(pools_inflight rx)
	check "control: a page held over ip link set down: pools with pages inflight" \
		"$(jq -c '[.[] | .inflight]' <<<"$left") $(jq -c '[.[] | has("detach-time")]' <<<"$left")" \
		"[1] [true]"
	echo 0 > "$hold"
else
	fail "control: pp_hold and ip link set down"
fi
in_rx ip link del $IF_V0
for id in $NSIM_ID_TX $NSIM_ID_RX; do echo "$id" > $NSIM_BUS/del_device; done
for side in rx tx; do
	left=""
	for ((i = 0; i < 10; i++)); do
		left=$(pools_inflight $side)
		[ "$left" = "[]" ] && break
		sleep 1
	done
	check "page pools with pages inflight in the $side namespace after the devices went" "$left" "[]"
done

checks_done nsim_xdp
