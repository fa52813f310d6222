#!/bin/bash
# End-to-end test of the steering program on a veth pair between two
# network namespaces: the program loaded with xdp-loader (single-program
# mode on the host, the dispatcher in the VM), flows and rules set with
# `xsk-devmem steer`, an AF_XDP socket in copy mode (libxdp's xsk API)
# that must receive exactly the steered flows with the right split point
# in the metadata, a plain UDP socket that must receive the rest, and
# counters that must match what was sent.
#
#   steer_e2e.sh [-m native|skb]     (both, one after the other, without -m)
#
# With STEER_E2E_FILTER=1 (the VM test) xdp-filter is loaded first, so
# that libxdp puts both behind its dispatcher; the test then also checks
# that `xdp-loader status` shows both with their priorities and that
# unloading steer leaves xdp-filter in place and traffic flowing.
# The object is steer_meta.bpf.o (metadata, a policy slot by tail call);
# STEER_E2E_OBJ=steer uses steer.bpf.o instead (no metadata: the split goes
# to the kernel by kfunc only; what libxdp 1.3.1's dispatcher accepts on
# kernels that check changes_pkt_data; its chained policy slots have their
# own test, vm/steer_policy_dispatcher.sh). STEER_E2E_LOADER=cli loads with
# `xsk-devmem steer load` instead of xdp-loader.
set -u
if [ $# = 0 ]; then
	"$0" -m native || exit
	"$0" -m skb || exit
	STEER_E2E_OBJ=steer exec "$0" -m skb
fi
TOP=${XSK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${XSK_BUILD:-$TOP/build}
MODE=native
[ "${1:-}" = -m ] && MODE=$2
PY=/usr/bin/python3
CLI=$B/user/xsk-devmem
RX=$B/selftests/host/steer_xsk_rx
OBJ=$B/bpf/steer_meta.bpf.o

id=$$
NSA=xsksa$id NSB=xsksb$id
VA=xsa$id VB=xsb$id
PIN=/sys/fs/bpf/xsk-steer-e2e-$id
TMP=$(mktemp -d /tmp/steer-e2e.XXXXXX)
FILTER=${STEER_E2E_FILTER:-0}
COMPAT=0	# 1: steer.bpf.o, no metadata
[ "${STEER_E2E_OBJ:-steer_meta}" = steer ] && COMPAT=1
LOADER=${STEER_E2E_LOADER:-xdp-loader}
N_FLOW=100 N_RULE=50 N_POL=40 N_OTHER=80
[ "$COMPAT" = 1 ] && OBJ=$B/bpf/steer.bpf.o N_POL=0

fail() { echo "FAIL: $*"; exit 1; }
inb() { nsenter --net=/var/run/netns/$NSB "$@"; }
ina() { nsenter --net=/var/run/netns/$NSA "$@"; }
cleanup() {
	[ -n "${rxpid:-}" ] && kill "$rxpid" 2>/dev/null
	[ -n "${udppid:-}" ] && kill "$udppid" 2>/dev/null
	inb xdp-loader unload --all $VB >/dev/null 2>&1
	ip netns del $NSA 2>/dev/null
	ip netns del $NSB 2>/dev/null
	rm -rf "$PIN" "$TMP"
}
trap cleanup EXIT

for f in "$CLI" "$RX" "$OBJ" $PY; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "missing $f (make all)"; exit 4; }
done
command -v xdp-loader >/dev/null || { echo "no xdp-loader"; exit 4; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf ||
	{ echo "cannot mount bpffs"; exit 4; }

ip netns add $NSA && ip netns add $NSB || fail "netns"
ip link add $VA netns $NSA type veth peer name $VB netns $NSB || fail "veth"
for ns in $NSA $NSB; do
	nsenter --net=/var/run/netns/$ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	nsenter --net=/var/run/netns/$ns ip link set lo up
done
ina ip addr add 10.9.0.1/24 dev $VA
inb ip addr add 10.9.0.2/24 dev $VB
ina ip link set $VA up
inb ip link set $VB up
# veth native XDP needs the peer's GRO or an XDP program; skb mode does not
[ $MODE = native ] && ina ip link set $VA gro on 2>/dev/null
mac() { "$@" | awk '/link\/ether/ { print $2 }'; }
ina ip neigh add 10.9.0.2 lladdr "$(mac inb ip link show $VB)" dev $VA
inb ip neigh add 10.9.0.1 lladdr "$(mac ina ip link show $VA)" dev $VB

if [ "$FILTER" = 1 ]; then
	command -v xdp-filter >/dev/null || { echo "no xdp-filter"; exit 4; }
	inb xdp-filter load -m $MODE $VB || fail "xdp-filter load"
fi
if [ "$LOADER" = cli ]; then
	inb "$CLI" steer -p "$PIN" load $VB -m $MODE -o "$OBJ" || fail "steer load"
else
	echo "# xdp-loader load -m $MODE -p $PIN $VB $OBJ"
	inb xdp-loader load -m $MODE -p "$PIN" $VB "$OBJ" || fail "xdp-loader load"
fi
inb xdp-loader status $VB | tee "$TMP/status"
grep -q "xsk_steer" "$TMP/status" || fail "xdp-loader status does not show xsk_steer"
if [ "$FILTER" = 1 ]; then
	grep -q "xdp_dispatcher" "$TMP/status" || fail "no dispatcher in xdp-loader status"
	grep -Eq "=> +20 +xsk_steer" "$TMP/status" || fail "xsk_steer not at priority 20"
	grep -q "xdpfilt" "$TMP/status" || fail "xdp-filter not in xdp-loader status"
fi

steer() { "$CLI" steer -p "$PIN" "$@"; }
steer flow add proto udp src 10.9.0.1 sport 5001 dst 10.9.0.2 dport 6001 \
	action redirect queue split l4+4 counter 1 || fail "flow add"
steer rule add dst 10.9.0.2/32 proto udp dport 7000-7099 \
	action redirect index 0 split none counter 2 || fail "rule add"
# a flow through policy slot 2 (spread over 1 socket from index 0): the
# tail call
if [ "$COMPAT" = 0 ]; then
	steer policy load 2 "$B/bpf/policies/spread_meta.bpf.o" || fail "policy load"
	steer flow add proto udp src 10.9.0.1 sport 5004 dst 10.9.0.2 dport 6003 \
		action policy 2 param 1 counter 3 || fail "policy flow add"
	steer policy list | grep -q "slot 2: xsk_policy_spre" || fail "policy list"
fi
# steer.bpf.o chains its policies behind it in libxdp's dispatcher; alone
# (the host: no freplace) it has none to chain them behind
if [ "$COMPAT" = 1 ]; then
	if grep -q xdp_dispatcher "$TMP/status"; then
		inb "$CLI" steer -p "$PIN" policy load 2 "$B/bpf/policies/spread.bpf.o" |
			grep -q "slot 2: chained behind steer on $VB" || fail "chained policy load"
		inb "$CLI" steer -p "$PIN" policy unload 2 || fail "chained policy unload"
	else
		inb "$CLI" steer -p "$PIN" policy load 2 "$B/bpf/policies/spread.bpf.o" 2>&1 |
			grep -q "steer.bpf.o runs alone on $VB" ||
			fail "chained policy load without a dispatcher not refused"
	fi
fi
steer flow list
steer rule list

# error paths the CLI must name
steer rule add dst 10.9.0.0/24 dport 9-5 action drop 2>&1 | grep -q "inverted" ||
	fail "inverted port range not reported"
steer flow add proto udp src 10.9.0.300 sport 1 dst 10.9.0.2 dport 1 action drop 2>&1 |
	grep -q "invalid address" || fail "bad address not reported"
"$CLI" steer load nosuchif0 2>&1 | grep -q "does not exist" ||
	fail "missing interface not reported"
"$CLI" steer -p /sys/fs/bpf/nothing-here-$id flow list 2>&1 | grep -q "not loaded" ||
	fail "not-loaded not reported"

inb "$RX" -i $VB -q 0 -p "$PIN" -n $((N_FLOW + N_RULE + N_POL)) -t 20 >"$TMP/rx" 2>&1 &
rxpid=$!
inb $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.9.0.2", 6002)); s.settimeout(30)
print("ready", flush=True)
n = 0
try:
    while True:
        s.recv(2048); n += 1
        s.settimeout(3)     # the first may be slow to come (TCG); then idle ends it
except socket.timeout:
    pass
print("udp", n, flush=True)
' >"$TMP/udp" 2>&1 &
udppid=$!
for i in $(seq 50); do
	grep -q ready "$TMP/rx" 2>/dev/null && grep -q ready "$TMP/udp" 2>/dev/null && break
	sleep 0.1
done
grep -q ready "$TMP/rx" || { cat "$TMP/rx"; fail "AF_XDP receiver did not start"; }

ina $PY -c '
import socket, time
def send(sport, dport, n, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.9.0.1", sport))
    for i in range(n):
        s.sendto(bytes(size), ("10.9.0.2", dport))
        if i % 16 == 15: time.sleep(0.002)
send(5001, 6001, '$N_FLOW', 64)
send(5002, 7050, '$N_RULE', 200)
send(5004, 6003, '$N_POL', 32)
send(5003, 6002, '$N_OTHER', 100)
'
wait $rxpid; rxpid=
wait $udppid; udppid=
cat "$TMP/rx" "$TMP/udp"
steer stats

rc=0
check() { # what got want
	if [ "$2" = "$3" ]; then echo "ok $1 = $2"; else echo "not ok $1 = $2, expected $3"; rc=1; fi
}
port() { awk -v p="$1" -v f="$2" '$1 == "port" && $2 == p { for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }' "$TMP/rx"; }
check "AF_XDP frames of the flow" "$(port 6001 frames)" $N_FLOW
check "AF_XDP frames of the rule" "$(port 7050 frames)" $N_RULE
check "AF_XDP frames in all" "$(awk '$1 == "total" { print $2 }' "$TMP/rx")" \
	$((N_FLOW + N_RULE + N_POL))
if [ "$COMPAT" = 0 ]; then
	check "their metadata" "$(port 6001 meta_ok)" $N_FLOW
	check "their split (l4+4)" "$(port 6001 split)" $((14 + 20 + 8 + 4))
	check "rule split (none = frame)" "$(port 7050 split)" $((14 + 20 + 8 + 200))
	check "AF_XDP frames of the policy flow" "$(port 6003 frames)" $N_POL
	check "their split (spread: l4+4)" "$(port 6003 split)" $((14 + 20 + 8 + 4))
	check "AF_XDP bad metadata" "$(awk '$1 == "total" { print $4 }' "$TMP/rx")" 0
fi
check "UDP socket datagrams" "$(awk '$1 == "udp" { print $2 }' "$TMP/udp")" $N_OTHER

steer -j stats >"$TMP/stats"
stat() { $PY -c "import json; print(json.load(open('$TMP/stats'))['$1'])"; }
check "redirected" "$(stat redirected)" $((N_FLOW + N_RULE + N_POL))
check "hit_flow" "$(stat hit_flow)" $((N_FLOW + N_POL))
check "policy_calls" "$(stat policy_calls)" $N_POL
check "hit_prefix" "$(stat hit_prefix)" $N_RULE
check "redirect_fail" "$(stat redirect_fail)" 0
check "malformed" "$(stat malformed)" 0
total=$(( $(stat parsed) + $(stat other) + $(stat malformed) ))
check "parsed+other+malformed = redirected+passed+dropped" $total \
	$(( $(stat redirected) + $(stat passed) + $(stat dropped) ))
steer -j flow list >"$TMP/flows"
check "flow counter packets" \
	"$($PY -c "import json; print([f['packets'] for f in json.load(open('$TMP/flows')) if f['dport'] == 6001][0])")" $N_FLOW
steer -j rule list >"$TMP/rules"
check "rule counter bytes" \
	"$($PY -c "import json; print(json.load(open('$TMP/rules'))[0]['bytes'])")" \
	$((N_RULE * (14 + 20 + 8 + 200)))

inb "$CLI" steer -p "$PIN" unload $VB --keep-maps || fail "steer unload"
inb xdp-loader status $VB | grep -q xsk_steer && fail "still loaded after unload"
[ -e "$PIN/steer_flows4" ] || fail "--keep-maps removed the maps"
# an unload with steer gone and its maps still pinned removes the pins
inb "$CLI" steer -p "$PIN" unload $VB || fail "steer unload of the maps left behind"
[ -e "$PIN/steer_flows4" ] && fail "unload left the maps of a steer no longer loaded"
inb "$CLI" steer -p "$PIN" unload $VB 2>&1 | grep -q "steer is not loaded on $VB" ||
	fail "unload with nothing loaded or pinned: no error"
if [ "$FILTER" = 1 ]; then
	inb xdp-loader status $VB | tee "$TMP/status2"
	grep -q "xdpfilt" "$TMP/status2" || fail "xdp-filter gone after unloading steer"
	inb $PY -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.9.0.2", 6002)); s.settimeout(20)
print("ready", flush=True)
try:
    s.recv(2048); print("got", flush=True)
except socket.timeout:
    print("none", flush=True)
' >"$TMP/udp2" 2>&1 &
	udppid=$!
	for i in $(seq 100); do grep -q ready "$TMP/udp2" 2>/dev/null && break; sleep 0.1; done
	ina $PY -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5): s.sendto(b"x", ("10.9.0.2", 6002))
'
	wait $udppid; udppid=
	check "traffic through xdp-filter alone" "$(tail -n1 "$TMP/udp2")" got
	inb xdp-filter unload $VB || fail "xdp-filter unload"
fi
exit $rc
