#!/bin/bash
# Chained policy slots behind libxdp's dispatcher, on the guest kernel
# (which refuses packet-changing helpers in dispatcher slots of libxdp
# 1.3.1): xdp-filter and steer.bpf.o loaded with xdp-loader on one veth,
# both example policies (lenhdr in slot 1, spread in slot 2) attached
# behind steer by `xsk-devmem steer policy load`; `xdp-loader status`
# shows all four with their priorities. Real UDP traffic from the other
# namespace, with payloads the policies read, must reach the AF_XDP socket
# or the kernel's UDP socket exactly as the policies decide, and the
# counters must say the same. Then: a slot without a policy, a policy
# removed by the CLI, one removed behind the CLI's back (counted when the
# next packet comes), xdp-filter unloaded (steer and the policy go on),
# steer unloaded (its policies go with it). In skb and native mode; native
# only over netdevsim with XSK_LINK=nsim (TESTS' @nsim).
. "$XSK_TOP/selftests/lib/link.sh"
set -u
CLI=$XSK_BUILD/user/xsk-devmem
RX=$XSK_BUILD/selftests/host/steer_xsk_rx
POL=$XSK_BUILD/bpf/policies
PY=/usr/bin/python3
PIN=/sys/fs/bpf/xsk-steer-policy-$$
TMP=$(mktemp -d /tmp/steer-policy.XXXXXX)
fails=0

for f in "$CLI" "$RX" "$XSK_BUILD/bpf/steer.bpf.o" "$POL/lenhdr.bpf.o" "$POL/spread.bpf.o"; do
	[ -f "$f" ] || { echo "missing $f (make all)"; exit 4; }
done
for c in xdp-loader xdp-filter $PY; do
	command -v $c >/dev/null || { echo "no $c"; exit 4; }
done
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || exit 4

check() { # what got want
	if [ "$2" = "$3" ]; then
		echo "ok   $1 = $2"
	else
		echo "FAIL $1 = $2, expected $3"; fails=$((fails + 1))
	fi
}
die() { echo "FAIL $*"; fails=$((fails + 1)); }
steer() { in_rx "$CLI" steer -p "$PIN" "$@"; }
stat() { steer -j stats | $PY -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
counter() { # packets of the flow to dport $1
	steer -j flow list | $PY -c "import json, sys
print([f['packets'] for f in json.load(sys.stdin) if f['dport'] == $1][0])"
}
status() { in_rx xdp-loader status $IF_RX | tee "$TMP/status"; }
prog_id() { awk -v n="$1" '$1 == "=>" && $3 ~ "^" n { print $4; exit }' "$TMP/status"; }

# UDP receiver in the RX namespace: udp_start COUNT PORT...; datagrams per
# port until COUNT came or none for 60 s.
udp_start() {
	in_rx $PY -c '
import select, socket, sys
want, socks = int(sys.argv[1]), []
for p in map(int, sys.argv[2:]):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("'$ADDR_RX'", p)); socks.append(s)
print("ready", flush=True)
n = {s.getsockname()[1]: 0 for s in socks}
while sum(n.values()) < want:
    r, _, _ = select.select(socks, [], [], 60)
    if not r:
        break
    for s in r:
        s.recv(4096); n[s.getsockname()[1]] += 1
for p in sorted(n):
    print("udp", p, n[p], flush=True)
' "$@" >"$TMP/udp" 2>&1 &
	udppid=$!
	wait_line "$TMP/udp" ready 30
}
udp_got() { awk -v p="$1" '$1 == "udp" && $2 == p { print $3 }' "$TMP/udp"; }

# AF_XDP socket on queue 0, XSKMAP index 0 of steer's maps.
xsk_start() {
	in_rx "$RX" -i $IF_RX -q 0 -p "$PIN" -n "$1" -t 60 >"$TMP/rx" 2>&1 &
	rxpid=$!
	wait_line "$TMP/rx" ready 30
}
xsk_got() { awk -v p="$1" '$1 == "port" && $2 == p { print $4 }' "$TMP/rx"; }

# send SPORT:DPORT:KIND:COUNT...: KIND lenhdr-ok (a 10-byte record
# header), lenhdr-big (a 200-byte one), ids (4-byte stream id = 0, 1, 2,
# ...), even (stream ids 0, 2, 4, ...). From CPU 0: a datagram is received
# on the CPU that sends it over veth (and netdevsim), so every decision left pending is on
# that CPU's scratch entry.
send() {
	in_tx taskset -c 0 $PY -c '
import socket, struct, sys, time
for arg in sys.argv[1:]:
    sport, dport, kind, n = arg.split(":")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("'$ADDR_TX'", int(sport)))
    for i in range(int(n)):
        if kind == "lenhdr-ok":
            p = struct.pack(">H", 10) + b"record!!" + bytes(40)
        elif kind == "lenhdr-big":
            p = struct.pack(">H", 200) + bytes(60)
        elif kind == "ids":
            p = struct.pack(">I", i) + bytes(28)
        else:
            p = struct.pack(">I", 2 * i) + bytes(28)
        s.sendto(p, ("'$ADDR_RX'", int(dport)))
        if i % 16 == 15:
            time.sleep(0.005)
    s.close()
' "$@"
}

run() {
	local mode=$1 m0 id

	echo "# $mode mode"
	link_mode_ok $mode || return
	link_pair 1500 || { die "$mode: set-up"; return; }
	# veth native XDP needs the peer's GRO or an XDP program
	[ $mode = native ] && in_tx ip link set $IF_TX gro on 2>/dev/null
	in_rx xdp-filter load -m $mode $IF_RX || { die "$mode: xdp-filter load"; return; }
	in_rx xdp-loader load -m $mode -p "$PIN" $IF_RX "$XSK_BUILD/bpf/steer.bpf.o" ||
		{ die "$mode: xdp-loader load steer.bpf.o"; return; }
	steer policy load 1 "$POL/lenhdr.bpf.o" | tee "$TMP/load1" &&
		steer policy load 2 "$POL/spread.bpf.o" | tee "$TMP/load2" ||
		{ die "$mode: policy load"; return; }
	check "$mode: lenhdr chained" "$(grep -c 'slot 1: chained behind steer' "$TMP/load1")" 1
	check "$mode: spread chained" "$(grep -c 'slot 2: chained behind steer' "$TMP/load2")" 1
	status
	check "$mode: dispatcher" "$(grep -c "xdp_dispatcher.*$mode" "$TMP/status")" 1
	check "$mode: xdp-filter at 10" "$(grep -Ec '=> +10 +xdpfilt' "$TMP/status")" 1
	check "$mode: steer at 20" "$(grep -Ec '=> +20 +xsk_steer' "$TMP/status")" 1
	check "$mode: policies at 21" "$(grep -Ec '=> +21 +xsk_policy_(lenhdr|spread)' \
		"$TMP/status")" 2
	steer policy list | tee "$TMP/list"
	check "$mode: policy list" "$(grep -Ec '^slot (1|2): xsk_policy_.* chained on' \
		"$TMP/list")" 2

	steer flow add proto udp src $ADDR_TX sport 5001 dst $ADDR_RX dport 6001 \
		action policy 1 param 64 counter 1 >/dev/null &&
	steer flow add proto udp src $ADDR_TX sport 5002 dst $ADDR_RX dport 6002 \
		action policy 2 param 2 counter 2 >/dev/null &&
	steer flow add proto udp src $ADDR_TX sport 5003 dst $ADDR_RX dport 6003 \
		action policy 3 counter 3 >/dev/null || { die "$mode: flow add"; return; }

	# lenhdr: 60 records to the socket, 20 over its limit (64) to the stack;
	# spread over 2 sockets from index 0: even stream ids to the socket at
	# index 0, odd ones to index 1, which is empty (redirect_fail, passed);
	# slot 3 has no policy: passed, policy_missing.
	xsk_start 90 && udp_start 70 6001 6002 6003 || { die "$mode: receivers"; return; }
	send 5001:6001:lenhdr-ok:60 5001:6001:lenhdr-big:20 5002:6002:ids:60 \
		5003:6003:lenhdr-ok:20
	wait $rxpid; wait $udppid
	cat "$TMP/rx" "$TMP/udp"
	steer stats
	check "$mode: lenhdr records at the AF_XDP socket" "$(xsk_got 6001)" 60
	check "$mode: lenhdr over its limit at the UDP socket" "$(udp_got 6001)" 20
	check "$mode: spread even ids at the AF_XDP socket" "$(xsk_got 6002)" 30
	check "$mode: spread odd ids at the UDP socket" "$(udp_got 6002)" 30
	check "$mode: empty slot 3 at the UDP socket" "$(udp_got 6003)" 20
	check "$mode: policy_calls" "$(stat policy_calls)" 160
	check "$mode: policy_missing" "$(stat policy_missing)" 20
	check "$mode: redirected" "$(stat redirected)" 90
	check "$mode: redirect_fail" "$(stat redirect_fail)" 30
	check "$mode: split by the kfunc" "$(stat split_kfunc)" 120
	check "$mode: counter of the lenhdr flow" "$(counter 6001)" 80
	check "$mode: counter of the spread flow" "$(counter 6002)" 60
	check "$mode: counter of the slot 3 flow" "$(counter 6003)" 20

	# lenhdr removed by the CLI: its flow passes, counted policy_missing
	steer policy unload 1 || die "$mode: policy unload 1"
	status >/dev/null
	check "$mode: lenhdr gone from the dispatcher" "$(grep -c xsk_policy_lenhdr \
		"$TMP/status")" 0
	m0=$(stat policy_missing)
	udp_start 20 6001 || { die "$mode: receiver"; return; }
	send 5001:6001:lenhdr-ok:20
	wait $udppid
	check "$mode: removed policy: records at the UDP socket" "$(udp_got 6001)" 20
	check "$mode: removed policy: policy_missing" $(($(stat policy_missing) - m0)) 20

	# xdp-filter unloaded: steer and spread go on
	in_rx xdp-filter unload $IF_RX || die "$mode: xdp-filter unload"
	status >/dev/null
	check "$mode: xdp-filter gone" "$(grep -c xdpfilt "$TMP/status")" 0
	check "$mode: steer and spread stay" "$(grep -Ec '=> +[0-9]+ +xsk_(steer|policy_spread)' \
		"$TMP/status")" 2
	xsk_start 20 || { die "$mode: receiver"; return; }
	send 5002:6002:even:20
	wait $rxpid
	check "$mode: spread without xdp-filter" "$(xsk_got 6002)" 20

	# spread removed behind the CLI's back: steer still hands its packets
	# on; the decision nobody takes is counted when the next packet comes
	id=$(prog_id xsk_policy_spread)
	in_rx xdp-loader unload -i "$id" $IF_RX || die "$mode: xdp-loader unload -i $id"
	m0=$(stat policy_missing)
	udp_start 11 6002 6003 || { die "$mode: receiver"; return; }
	send 5002:6002:even:10 5003:6003:lenhdr-ok:1
	wait $udppid
	check "$mode: spread gone: its packets at the UDP socket" "$(udp_got 6002)" 10
	# 9 counted by the next spread packet, the 10th by the one to slot 3,
	# which counts itself too
	check "$mode: spread gone: policy_missing" $(($(stat policy_missing) - m0)) 11

	# steer unloaded by the CLI: nothing of ours is left
	steer policy load 2 "$POL/spread.bpf.o" >/dev/null || die "$mode: policy reload"
	steer unload $IF_RX || die "$mode: steer unload"
	status >/dev/null
	check "$mode: steer and its policy gone" "$(grep -c 'xsk_' "$TMP/status")" 0
	in_rx xdp-loader unload --all $IF_RX 2>/dev/null
	rm -rf "$PIN"
	link_cleanup
}

for mode in skb native; do
	run $mode
done
rm -rf "$TMP"
[ $fails = 0 ]
