#!/bin/bash
# libxdp's multiprog dispatcher works on the guest kernel: xdp-loader puts
# two programs behind xdp_dispatcher on one interface (native and skb
# mode), `xdp-loader status` lists both under the dispatcher, traffic is
# still steered to the AF_XDP socket through the dispatcher, and unloading
# one program leaves the other attached. (This host's own kernel refuses
# the freplace programs the dispatcher needs, so the guest proves it.)
# Over veth, or netdevsim in native mode with XSK_LINK=nsim (TESTS: @nsim).
. "$XSK_TOP/selftests/lib/link.sh"
set -u
OBJ=$XSK_BUILD/selftests/bpf/xsk_redirect.bpf.o
fails=0
check() { # check DESCRIPTION COMMAND...
	if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}

for mode in native skb; do
	link_mode_ok $mode || continue
	link_pair 1500 || exit 1
	pin=/sys/fs/bpf/xsk-dispatcher-test
	in_rx xdp-loader load -m $mode -p $pin $IF_RX "$OBJ" ||
		{ echo "FAIL load ($mode)"; exit 1; }
	in_rx xdp-loader load -m $mode $IF_RX "$OBJ" || { echo "FAIL second load ($mode)"; exit 1; }
	st=$(in_rx xdp-loader status $IF_RX)
	echo "$st"
	check "$mode: dispatcher attached" grep -q "$IF_RX.*xdp_dispatcher.*$mode" <<<"$st"
	check "$mode: two programs behind it" \
		test "$(grep -c '=> .*xsk_redirect' <<<"$st")" = 2
	log=/tmp/xsk_rx.$$.log
	in_rx "$TOOLS/xsk_rx" -i $IF_RX -p 4791 -n 500 -m $mode -t 60 \
		--xskmap $pin/xsks >"$log" 2>&1 &
	rx=$!
	wait_line "$log" 'xsk_rx: ready' 30 && link_xdp_mark &&
		in_tx "$TOOLS/udp_send" -d $ADDR_RX -p 4791 -n 500 -l 100,1400 >/dev/null
	check "$mode: AF_XDP socket receives through the dispatcher" wait $rx
	[ "$XSK_LINK" != veth ] &&
		check "$mode: all through netdevsim's XDP" link_xdp_check "to port 4791" 500
	cat "$log"
	id=$(awk '/=> .*xsk_redirect/ { print $4; exit }' <<<"$st")
	in_rx xdp-loader unload -i "$id" $IF_RX
	st=$(in_rx xdp-loader status $IF_RX)
	check "$mode: one left after unloading program $id" \
		test "$(grep -c '=> .*xsk_redirect' <<<"$st")" = 1
	check "$mode: unloaded program is gone" \
		bash -c "! grep -q ' $id ' <<<'$st'"
	in_rx xdp-loader unload --all $IF_RX
	st=$(in_rx xdp-loader status $IF_RX)
	check "$mode: nothing left after unload --all" \
		bash -c "! grep -q xdp_dispatcher <<<'$st'"
	rm -rf $pin
	link_cleanup
done
[ $fails = 0 ]
