#!/bin/bash
# The demo's guest half (scripts/demo.sh boots it; the test suite runs it
# with fewer datagrams and relies on its exit status): the whole product on
# the patched kernel.
#
# Two namespaces joined by veth (or by netdevsim, the reference driver, with
# XSK_LINK=nsim: TESTS' @nsim; its skb-mode case is skipped there, and the
# frames its native XDP redirected are counted too). steer.bpf.o is loaded
# with xdp-loader (behind libxdp's dispatcher, next to xdp-filter in one
# case) and given its policy with the tool: UDP to port 4791 goes to the
# AF_XDP socket split at the end of the UDP header, one flow to port 4792
# goes there whole, all other traffic reaches the kernel stack. `xsk-devmem
# rx` receives into a udmabuf-backed UMEM and checks every payload byte
# through the dmabuf's mapping; a plain UDP socket and ping show the stack
# still gets the rest. A summary table per mode ends it, and the script
# fails if any number in it is not what was sent.
#
# Over the reference driver with header split (XSK_LINK=nsim-split) the same
# steps run in copy mode and in zero copy side by side: in zero copy the
# device writes the payloads into the udmabuf through the socket's page pool
# memory provider, the CPU copies none of it (checked: cpu-copied 0), and
# the split point is the device's, so the flow whose policy asked for no
# split arrives split too, every packet of it counted as a split mismatch.
. "$XSK_TOP/selftests/lib/link.sh"
set -u
XSK=$XSK_BUILD/user/xsk-devmem
STEER_OBJ=${DEMO_STEER_OBJ:-$XSK_BUILD/bpf/steer.bpf.o}
N=${DEMO_COUNT:-500}
SIZES=64,512,1472,4000,8972
SIZES_1500=64,512,1472
PORT_SPLIT=4791 PORT_WHOLE=4792 SPORT_WHOLE=4000 PORT_STACK=5001
PIN=/sys/fs/bpf/xsk-devmem-demo
PY=/usr/bin/python3
# Bursts of 16 with 0.5 ms gaps: veth hands each datagram to the receiving
# CPU's backlog (netdev_max_backlog, 1000), which an unpaced sender
# overflows in an emulated guest, most of all in skb mode.
PACE="-b 16 -g 500"
rows=() fails=0

say() { printf '\n== %s\n' "$*"; }
# show CMD...: run a step and print it as a user would type it
show() {
	local cmd="$*"
	cmd=${cmd//$XSK_BUILD\/user\//}
	cmd=${cmd//$XSK_BUILD\//build\/}
	echo "   $([ "$1" = in_rx ] && echo "[$NS_RX]")\$ ${cmd#in_rx }"
	"$@" 2>&1 | sed 's/^/     /'
	return "${PIPESTATUS[0]}"
}
# num LINE WORD / pre LINE WORD: the number after / before WORD in the
# tool's summary line
num() { grep -o "$2 [0-9]*" <<<"$1" | head -n1 | cut -d' ' -f2; }
pre() { grep -o "[0-9]* $2" <<<"$1" | head -n1 | cut -d' ' -f1; }
# want WHAT GOT EXPECTED: a number of the case that must be what was sent
want() { [ "$2" = "$3" ] || { echo "   MISMATCH: $1: $2, expected $3"; ok=0; }; }
# step WHAT CMD...: a step of the case that must succeed
step() { "${@:2}" || { echo "   FAILED: $1 (exit $?)"; ok=0; }; }

say "xsk-devmem demo on Linux $(uname -r), $(nproc) CPU(s), QEMU TCG (rates are emulated, not hardware rates)"
"$XSK" info | sed 's/^/   /'
"$XSK" info | grep -q 'dmabuf UMEM (xsk-devmem patch set) yes' ||
	{ echo "   the running kernel lacks the patch set"; exit 1; }

# demo_case XDP_MODE MTU SIZES LOADER [filter] [RX_MODE]
#   LOADER: xdp-loader, or the tool's `steer load` (which attaches steer
#   alone when libxdp's dispatcher cannot take it, see docs/steering.md)
#   RX_MODE: copy or zc (xsk-devmem rx --mode; default auto, which is copy
#   on every link but nsim-split)
demo_case() {
	local mode=$1 mtu=$2 sizes=$3 loader=$4 filter=${5:-} rxmode=${6:-auto}
	local log=/tmp/demo-rx.log udp=/tmp/demo-udp.log ok=1 rx total pings got why ran
	local split_want=$N whole_want=$N
	say "$mode XDP, MTU $mtu, UDP payloads of $sizes bytes, loaded by $loader${filter:+ next to xdp-filter}, socket mode $rxmode"
	if ! why=$(link_mode_ok "$mode"); then
		echo "   $why"
		rows+=("$(printf '%-6s %5s  %-10s %-7s %-4s  skipped on %s' "$mode" "$mtu" "$loader" \
			"${filter:++filter}" "$rxmode" "$LINK_NAME")")
		return
	fi
	link_pair "$mtu" || { fails=$((fails + 1)); return; }
	echo "   $NS_TX/$IF_TX ($ADDR_TX)  <== $LINK_NAME ==>  $NS_RX/$IF_RX ($ADDR_RX)"
	rm -rf "$PIN"
	if [ -n "$filter" ]; then
		show in_rx xdp-filter load -m "$mode" $IF_RX || ok=0
	fi
	if [ "$loader" = xdp-loader ]; then
		show in_rx xdp-loader load -m "$mode" -p "$PIN" $IF_RX "$STEER_OBJ" || ok=0
	else
		show in_rx "$XSK" steer -p "$PIN" load $IF_RX -m "$mode" -o "$STEER_OBJ" || ok=0
	fi
	show in_rx xdp-loader status $IF_RX
	show "$XSK" steer -p "$PIN" rule add dst $ADDR_RX/32 proto udp dport $PORT_SPLIT \
		action redirect queue split l4 counter 1 || ok=0
	show "$XSK" steer -p "$PIN" flow add proto udp src $ADDR_TX sport $SPORT_WHOLE \
		dst $ADDR_RX dport $PORT_WHOLE action redirect queue split none counter 2 || ok=0
	if [ $ok = 0 ]; then
		echo "   set-up failed: case skipped"
		rows+=("$(printf '%-6s %5s  %-10s %-7s %-4s  set-up FAILED' "$mode" "$mtu" "$loader" \
			"${filter:++filter}" "$rxmode")")
		fails=$((fails + 1)); cleanup_case "$filter"; return
	fi

	# The stack's share: a plain UDP socket on another port.
	in_rx $PY -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)    # SO_RCVBUFFORCE: the
s.bind((sys.argv[1], int(sys.argv[2])))          # reader is slow under TCG
s.settimeout(120)
print("ready", flush=True)
n = 0
try:
    while True:
        s.recv(65536); n += 1; s.settimeout(5)
except socket.timeout:
    pass
print("udp", n, flush=True)
' $ADDR_RX $PORT_STACK >"$udp" 2>&1 &
	local sink=$!
	echo "   \$ xsk-devmem rx $IF_RX --mode $rxmode --inhibit -p $PIN --verify --port $PORT_SPLIT -c $((2 * N))"
	in_rx "$XSK" rx $IF_RX --mode "$rxmode" --inhibit -p "$PIN" --verify --port $PORT_SPLIT \
		-c $((2 * N)) -d 240 >"$log" 2>&1 &
	rx=$!
	step "receivers ready" wait_line "$log" 'ready on' 60
	step "UDP socket ready" wait_line "$udp" ready 60
	echo "   sending: $N datagrams to :$PORT_SPLIT (split), $N from :$SPORT_WHOLE to" \
	     ":$PORT_WHOLE (whole), $((N / 4)) to :$PORT_STACK (stack), 3 pings"
	link_xdp_mark
	step "send to :$PORT_SPLIT" in_tx "$TOOLS/udp_send" -d $ADDR_RX -p $PORT_SPLIT \
		-n "$N" -l "$sizes" $PACE >/dev/null
	step "send to :$PORT_WHOLE" in_tx "$TOOLS/udp_send" -d $ADDR_RX -p $PORT_WHOLE \
		-s $SPORT_WHOLE -n "$N" -l "$sizes" $PACE >/dev/null
	step "send to :$PORT_STACK" in_tx "$TOOLS/udp_send" -d $ADDR_RX -p $PORT_STACK \
		-n $((N / 4)) -l "$sizes" $PACE >/dev/null
	pings=$(in_tx ping -c 3 -i 0.2 -q $ADDR_RX | grep -o '[0-9]* received' | cut -d' ' -f1)
	step "xsk-devmem rx" wait $rx
	wait $sink
	sed 's/^/     /' "$log"
	show "$XSK" steer -p "$PIN" stats
	total=$(grep '^total' "$log")
	got=$(awk '$1 == "udp" { print $2 }' "$udp")
	ran=$(grep -o 'ready on .*, \(copy\|zero-copy\) mode' "$log" | awk '{ print $(NF - 1) }')
	# Everything the table shows is checked against what was sent.
	if [ "$ran" = zero-copy ]; then
		# The device split every packet; the CPU copied no payload.
		split_want=$((2 * N)) whole_want=0
		want "zero-copy packets" "$(num "$total" zero-copy)" $((2 * N))
		want "split mismatches (the :$PORT_WHOLE flow asked for none)" \
			"$(num "$total" split-mismatch)" "$N"
		want "payload bytes the CPU copied" "$(num "$total" cpu-copied)" 0
	fi
	[ "$rxmode" = auto ] || want "socket mode" "$ran" "$([ "$rxmode" = zc ] && echo zero-copy || echo copy)"
	want "packets on the socket" "$(pre "$total" pkts)" $((2 * N))
	want "split" "$(num "$total" split)" "$split_want"
	want "whole" "$(num "$total" whole)" "$whole_want"
	want "verified" "$(pre "$total" good)" "$N"
	want "corrupt" "$(pre "$total" bad)" 0
	want "not checked (:$PORT_WHOLE)" "$(pre "$total" other)" "$N"
	want "datagrams at the UDP socket" "${got:-0}" $((N / 4))
	want "pings answered" "${pings:-0}" 3
	link_xdp_check "split and whole" $((2 * N)) || ok=0
	rows+=("$(printf '%-6s %5s  %-10s %-7s %-4s %6s/%-6s %6s %6s %12s %12s  %5s/%-5s %s/3  %s' \
		"$mode" "$mtu" "$loader" "${filter:++filter}" "${ran/zero-copy/zc}" \
		"$(pre "$total" good)" "$N" \
		"$(num "$total" split)" "$(num "$total" whole)" \
		"$(num "$total" dmabuf-payload)" "$(num "$total" cpu-copied)" \
		"${got:-0}" $((N / 4)) "${pings:-0}" "$([ $ok = 1 ] && echo ok || echo FAILED)")")
	[ $ok = 1 ] || fails=$((fails + 1))
	cleanup_case "$filter"
}

cleanup_case() {
	in_rx xdp-loader unload -a $IF_RX >/dev/null 2>&1
	[ -n "$1" ] && in_rx xdp-filter unload $IF_RX >/dev/null 2>&1
	rm -rf "$PIN"
	link_cleanup
}

if [ "$XSK_LINK" = nsim-split ]; then
	# The tool's loader: libxdp 1.3.1's dispatcher is not frags-aware, and
	# a program that is not gets whole frames from the driver, unsplit.
	demo_case native 9000 "$SIZES" xsk-devmem "" copy
	demo_case native 9000 "$SIZES" xsk-devmem "" zc
	demo_case native 1500 "$SIZES_1500" xsk-devmem "" zc
else
	demo_case native 9000 "$SIZES" xsk-devmem
	demo_case skb 9000 "$SIZES" xdp-loader
	demo_case native 1500 "$SIZES_1500" xdp-loader filter
fi

say "summary: dmabuf UMEM (udmabuf) over $LINK_NAME; copy mode on any driver, zero copy (zc) where the driver's queues take a page_pool memory provider (the reference driver with tcp-data-split on)"
printf '   %-6s %5s  %-10s %-7s %-4s %13s %6s %6s %12s %12s  %11s %4s  %s\n' xdp MTU loader with \
	mode "verified/sent" split whole "dmabuf-bytes" "cpu-copied" "stack-udp" ping result
for r in "${rows[@]}"; do echo "   $r"; done
[ $fails = 0 ]
