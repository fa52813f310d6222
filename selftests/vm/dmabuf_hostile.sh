#!/bin/bash
# A hostile dmabuf fill ring under traffic: for every chunk it lends, the
# receiver also posts K entries no kernel may accept (offsets past the
# area, inside a chunk, wrapped around, random and misaligned), well over
# a million in all. Every datagram must still arrive intact, and the
# kernel must have rejected and counted every hostile entry, exactly.
# Over veth, or netdevsim's native XDP with XSK_LINK=nsim (TESTS: @nsim).
. "$XSK_TOP/selftests/lib/link.sh"
set -u
N=${DMABUF_HOSTILE_COUNT:-2000}
K=${DMABUF_HOSTILE_PER_CHUNK:-512}
log=/tmp/dmabuf_hostile.log
link_pair 9000 || exit 1
trap 'link_cleanup; rm -rf /sys/fs/bpf/xsk-devmem' EXIT
in_rx "$XSK_BUILD/user/xsk-devmem" steer load -m native $IF_RX >/dev/null || exit 1
in_rx "$XSK_BUILD/user/xsk-devmem" steer rule add dst "$ADDR_RX/32" proto udp dport 4791 \
	action redirect split l4 >/dev/null || exit 1
in_rx "$TOOLS/dmabuf_rx" -i $IF_RX -p 4791 -n "$N" --hostile "$K" --dmabuf-ring 32768 -t 240 >"$log" 2>&1 &
rx=$!
wait_line "$log" 'dmabuf_rx: ready' 30 && link_xdp_mark &&
	in_tx "$TOOLS/udp_send" -d $ADDR_RX -p 4791 -n "$N" -l 22,1472,4000,8972 -b 4 -g 1000 >>"$log"
wait $rx; rc=$?
cat "$log"
hostile=$(grep -o 'hostile entries [0-9]*' "$log" | grep -o '[0-9]*$')
echo "hostile fill ring entries posted: ${hostile:-?}"
link_xdp_check "$N datagrams" "$N" || rc=1
[ $rc = 0 ] && [ "${hostile:-0}" -ge 1000000 ] ||
	{ echo "FAIL (exit $rc, ${hostile:-0} hostile entries; want >= 1000000)"; exit 1; }
