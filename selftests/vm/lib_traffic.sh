#!/bin/bash
# libxsk-devmem end to end on the patched kernel: UDP over veth between two
# namespaces (MTU 9000, native XDP, multi-buffer), steer.bpf.o splitting at
# the end of the UDP header, 16 bytes after it, or not at all; every
# datagram checked byte for byte with the payload read through the
# udmabuf's mapping (`xsk-devmem rx --verify`); the kernel's split/whole
# counters must match the policy; the same through the in-order calls
# (peek, release_peeked). Also: the library loading steer itself,
# the device-consumer example, and rx_minimal built against the installed
# library with pkg-config (by host/lib_pkgconfig.sh) running here.
# With XSK_LINK=nsim (TESTS: @nsim) all of it over netdevsim instead of veth.
# With XSK_LINK=nsim-split (TESTS: @nsim-split) the library in zero copy
# (--mode zc, and auto, which must pick it): the same checks, plus no
# payload byte copied by the CPU and every datagram counted as zero copy.
. "$XSK_TOP/selftests/lib/link.sh"
set -u

XSK=$XSK_BUILD/user/xsk-devmem
N=${XSK_LIB_COUNT:-1000}
PORT=4791
SIZES=22,64,1000,1472,4000,8972
fails=0
runs=0

fail() { echo "FAIL $*"; fails=$((fails + 1)); }

field() { grep '"summary"' "$1" | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }

# split SPLIT WANT_SPLIT_FIELD [cli|library [RX_OPTION...]]
run_split() {
	local split=$1 want=$2 how=${3:-cli} pin=/sys/fs/bpf/xskd$$-$((++runs))
	local log=/tmp/lib_rx.$$.log opts=(--pin-path "$pin" "${@:4}")
	[ $# -gt 3 ] && how="$how ${*:4}"
	link_pair 9000 || { fail "split $split: setup"; return; }
	if [ "${how%% *}" = cli ]; then
		in_rx "$XSK" steer -p "$pin" load $IF_RX -m native >/dev/null || fail "steer load"
		in_rx "$XSK" steer -p "$pin" rule add dst $ADDR_RX/32 proto udp dport $PORT \
			action redirect split "$split" >/dev/null || fail "rule add"
		opts+=(--inhibit)
	fi
	in_rx "$XSK" rx $IF_RX "${opts[@]}" -m native -r 4096 --verify --port $PORT -c "$N" -d 120 \
		--json --quiet >"$log" 2>&1 &
	local rx=$!
	wait_line "$log" '"ready"' 30 || { fail "split $split: rx not ready"; cat "$log"; }
	if [ "${how%% *}" = library ]; then
		# The library loaded steer and pinned its maps: add the policy now.
		in_rx "$XSK" steer -p "$pin" rule add dst $ADDR_RX/32 proto udp dport $PORT \
			action redirect split "$split" >/dev/null || fail "rule add (library load)"
	fi
	link_xdp_mark
	in_tx "$TOOLS/udp_send" -d $ADDR_RX -p $PORT -n "$N" -l $SIZES >/dev/null
	if ! wait $rx; then
		fail "split $split ($how): rx"; sed 's/^/     /' "$log"
		in_rx "$XSK" steer -p "$pin" stats 2>&1 | sed 's/^/     /'
		[ "$XSK_LINK" = veth ] || nsim_snap rx | sed 's/^/     /'
	elif ! link_xdp_check "split $split ($how)" "$N"; then
		fail "split $split ($how): not all through native XDP"
	elif [ "$(field "$log" "$want")" != "$N" ] || [ "$(field "$log" good)" != "$N" ]; then
		fail "split $split ($how): want $want=$N"; sed 's/^/     /' "$log"
	elif [ "$XSK_LINK" = nsim-split ] && { [ "$(field "$log" zc_packets)" != "$N" ] ||
		[ "$(field "$log" cpu_copied_bytes)" != 0 ]; }; then
		fail "split $split ($how): want zc_packets=$N cpu_copied_bytes=0"
		sed 's/^/     /' "$log"
	else
		echo "ok   split $split ($how): $N datagrams intact, $want=$N"
	fi
	in_rx "$XSK" steer -p "$pin" unload $IF_RX >/dev/null 2>&1
	link_cleanup
}

if [ "$XSK_LINK" = nsim-split ]; then
	# Zero copy: the device splits after the UDP header whatever the
	# policy says, so every datagram is split.
	run_split l4 split cli --mode zc
	run_split l4 split cli --mode auto
	run_split l4+16 split library --mode zc
	run_split l4 split cli --mode zc --in-order
	[ $fails = 0 ]
	exit
fi
run_split l4 split
run_split l4+16 split
run_split none whole
run_split l4 split library
# The in-order calls (peek, release_peeked): split, and whole packets of up
# to three host chunks.
run_split l4 split cli --in-order
run_split none whole cli --in-order

# The device-consumer example and the pkg-config build of rx_minimal.
if ! link_pair 9000; then
	fail "examples: setup"
else
	pin=/sys/fs/bpf/xskd$$-ex log=/tmp/lib_ex.$$.log
	in_rx "$XSK" steer -p "$pin" load $IF_RX -m native >/dev/null
	in_rx "$XSK" steer -p "$pin" rule add dst $ADDR_RX/32 proto udp dport $PORT \
		action redirect split l4 >/dev/null
	XSK_STEER_PIN_DIR=$pin in_rx "$XSK_BUILD/examples/device_consumer" $IF_RX 0 "$N" \
		>"$log" 2>&1 &
	ex=$!
	wait_line "$log" ready 30
	in_tx "$TOOLS/udp_send" -d $ADDR_RX -p $PORT -n "$N" -l 100,1472,8972 >/dev/null
	if wait $ex; then echo "ok   device_consumer: $(tail -n1 "$log")"
	else fail "device_consumer"; sed 's/^/     /' "$log"; fi
	pk=$XSK_BUILD/pkgtest
	if [ -x "$pk/rx_minimal" ]; then
		LD_LIBRARY_PATH=$pk/usr/lib XSK_STEER_PIN_DIR=$pin \
			in_rx "$pk/rx_minimal" $IF_RX 0 5 >"$log" 2>&1 &
		ex=$!
		wait_line "$log" receiving 30
		in_tx "$TOOLS/udp_send" -d $ADDR_RX -p $PORT -n 20 -l 1000 >/dev/null
		if wait $ex && [ "$(grep -c 'payload bytes' "$log")" -ge 5 ]; then
			echo "ok   rx_minimal (installed library, pkg-config)"
		else fail "rx_minimal (pkg-config build)"; sed 's/^/     /' "$log"; fi
	else
		fail "no $pk/rx_minimal: host/lib_pkgconfig.sh did not run"
	fi
	in_rx "$XSK" steer -p "$pin" unload $IF_RX >/dev/null 2>&1
	link_cleanup
fi

[ $fails = 0 ]
