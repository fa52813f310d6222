#!/bin/bash
# Zero copy on the reference driver (TESTS: vm/dmabuf_zc.sh@nsim-split):
# bind(XDP_ZEROCOPY) installs the dmabuf UMEM's page pool memory provider on
# the queue, the device writes payloads into the udmabuf itself, and
# dmabuf_rx --zc checks every datagram byte for byte where the descriptors
# say, headers in host chunks at the device's split, the CPU having copied
# no payload byte, and the kernel's zero-copy counters.
#
#   refusals   each refusal with its errno and XDP_DMABUF_INFO's reason:
#              veth (no queue-management ops), header split off, a dmabuf
#              completion ring smaller than the area, chunks the device
#              cannot reach contiguously, the device down, a queue the
#              device does not have, a second socket on the queue; then a
#              bind that works.
#   traffic    UDP 64 B to 9000 B frames, IPv4 and IPv6, steer.bpf.o in
#              native mode; a policy split point other than the device's
#              (counted as mismatches); a hostile fill ring.
#   xdp-safe   a program reading and writing payload bytes gets -EFAULT,
#              and only the redirect to the socket delivers (XDP_PASS,
#              XDP_TX and a devmap redirect drop and count).
#   gone       the device is deleted under the bound socket: every chunk
#              lent comes back on the completion ring or is still named by
#              an unread fill ring entry.
#   starve     the socket stops giving chunks back: the queue drops what it
#              has no payload buffer for, counted (the socket's empty fill
#              ring allocations, the driver's alloc_fail and drops: all
#              that went missing), and the dmabuf fill ring asks for a
#              wakeup; refilled and kicked, the queue receives everything
#              again.
#   restart    the queue restarted DMABUF_ZC_RESTARTS (5) times under a
#              zero-copy stream: frames arrive after each restart, the old
#              page pools' chunks come back on the completion ring,
#              everything sent after the last restart arrives, and nothing
#              is dropped for want of a payload buffer while the fill ring
#              has entries (the regression test of a provider that counted
#              entries giving back chunks of an older pool of the queue
#              toward its batch: 64 of them in a row at the ring's head
#              made alloc_netmems return nothing, the frame dropped and
#              counted as an empty fill ring; 22 to 28 per run before).
#   devmem     devmem TCP (ncdevmem, queue 2) next to the provider on one
#              device: a zero-copy bind on devmem's queue refused (EBUSY,
#              QUEUE_BUSY), one on queue 3 allowed, XDP refused while devmem
#              is bound, ncdevmem's data run intact; after it, steer and a
#              zero-copy socket on queue 3 receive.
# After each, no dmabuf area may be left (debugfs xsk_dmabuf/areas) once
# the page pools have drained. DMABUF_ZC_CASES picks some (separated by +,
# default: all).
. "$XSK_TOP/selftests/lib/link.sh"
set -u
[ "$XSK_LINK" = nsim-split ] || { echo "dmabuf_zc: runs over nsim-split (TESTS)"; exit 4; }
CLI=$XSK_BUILD/user/xsk-devmem
RX=$TOOLS/dmabuf_rx
PORT=4791
fails=0

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
# same WHAT GOT WANT
same() { if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: '$2', want '$3'"; fi; }
# logged LOG SED-EXPR: the number dmabuf_rx printed where SED-EXPR says.
logged() { sed -n "$2" "$1" | tail -n 1; }


# expect WHAT WANT ARGS...: dmabuf_rx --bind-only prints WANT.
expect() {
	local what=$1 want=$2 got; shift 2
	got=$(in_rx "$RX" -p $PORT -n 1 --bind-only "$@" 2>&1)
	if [ "$got" = "$want" ]; then ok "$what: $got"; else bad "$what: '$got', want '$want'"; fi
}

refusals() {
	link_pair 9000 || { bad "refusals: set-up"; return; }
	in_rx ip link add zcv0 type veth peer name zcv1 && in_rx ip link set zcv0 up &&
		in_rx ip link set zcv1 up || { bad "refusals: veth"; link_cleanup; return; }
	# XDP and the provider on one device: allowed for this provider.
	in_rx "$CLI" steer load -m native $IF_RX >/dev/null || { bad "refusals: steer"; link_cleanup; return; }
	expect "veth, no queue ops" "bind: EOPNOTSUPP refusal 1 errno 95" -i zcv0 --zc --area-mb 8
	expect "veth, copy mode still" "bind: ok mode 1" -i zcv0 --area-mb 8
	PATH=$NSIM_WRAP:$PATH in_rx ethtool -G $IF_RX tcp-data-split off >/dev/null
	expect "header split off" "bind: EOPNOTSUPP refusal 3 errno 95" -i $IF_RX --zc --area-mb 8
	PATH=$NSIM_WRAP:$PATH in_rx ethtool -G $IF_RX tcp-data-split on >/dev/null
	expect "completion ring < chunks" "bind: EINVAL refusal 8 errno 22" \
		-i $IF_RX --zc --area-mb 8 --dmabuf-ring 1024
	# udmabuf's pages are scattered: a 16 KiB chunk is not contiguous for
	# the device (the mapping is refused before the page pool could be).
	expect "16 KiB chunks, not contiguous for the device" "bind: EINVAL refusal 9 errno 22" \
		-i $IF_RX --zc --area-mb 8 --chunk 16384 --dmabuf-ring 1024
	expect "queue out of range" "bind: EINVAL refusal 0 errno 0" -i $IF_RX -q 7 --zc --area-mb 8
	in_rx ip link set $IF_RX down
	expect "device down" "bind: ENETDOWN refusal 7 errno 100" -i $IF_RX --zc --area-mb 8
	in_rx ip link set $IF_RX up
	expect "zero copy" "bind: ok mode 2" -i $IF_RX --zc --area-mb 8
	# xsk-devmem info --probe-zc says the same, per queue.
	local info
	info=$(in_rx "$CLI" info --probe-zc $IF_RX zcv0 2>&1)
	if grep -q "queue 0   dmabuf zero copy: yes" <<<"${info%%zcv0*}" &&
	   grep -q "queue 0   dmabuf zero copy: no (reason 1): bind: zero copy on zcv0: the driver cannot restart" <<<"$info"; then
		ok "info --probe-zc: $IF_RX queue 0 yes, veth no (reason 1)"
	else
		bad "info --probe-zc"; sed 's/^/     /' <<<"$info"
	fi
	# A second socket on a queue the first holds in zero copy.
	local log=/tmp/dmabuf_zc.hold.log
	in_rx "$RX" -i $IF_RX -p $PORT -n 1 -t 20 --idle 20 --zc --area-mb 8 >"$log" 2>&1 &
	local holder=$!
	sleep 2
	expect "queue held in zero copy" "bind: EBUSY refusal 0 errno 0" -i $IF_RX --zc --area-mb 8
	grep -q 'dmabuf_rx: ready' "$log" || { bad "holder did not bind"; cat "$log"; }
	kill $holder 2>/dev/null; wait $holder 2>/dev/null
	in_rx ip link del zcv0
	in_rx xdp-loader unload --all $IF_RX
	rm -rf /sys/fs/bpf/xsk-devmem
	link_cleanup
	areas_gone || bad "refusals: areas left"
}

# traffic WHAT DST SIZES SPLIT [DMABUF_RX_OPTS...]
traffic() {
	local what=$1 dst=$2 sizes=$3 split=$4; shift 4
	local log=/tmp/dmabuf_zc.$$.log n=${DMABUF_ZC_COUNT:-600}
	link_pair 9000 || { bad "$what: set-up"; return; }
	in_rx "$CLI" steer load -m native $IF_RX >/dev/null &&
	in_rx "$CLI" steer rule add dst "$ADDR_RX/32" proto udp dport $PORT action redirect split "$split" >/dev/null &&
	in_rx "$CLI" steer rule add dst "$ADDR6_RX/128" proto udp dport $PORT action redirect split "$split" >/dev/null ||
		{ bad "$what: loading steer"; link_cleanup; return; }
	in_rx "$RX" -i $IF_RX -p $PORT -n "$n" --split "$split" --zc --area-mb 8 -t 180 "$@" >"$log" 2>&1 &
	local rx=$!
	wait_line "$log" 'dmabuf_rx: ready' 30 && link_xdp_mark &&
		in_tx "$TOOLS/udp_send" -d "$dst" -p $PORT -n "$n" -l "$sizes" -b 16 -g 500 >>"$log" 2>&1
	nsim_snap rx >/tmp/dmabuf_zc.q
	if wait $rx && link_xdp_check "to port $PORT" "$n" >>"$log" &&
	   [ "$(nsim_field /tmp/dmabuf_zc.q all unreadable)" = 0 ]; then
		ok "$what"
		grep -E 'intact|kernel:|zero copy' "$log" | sed 's/^/     /'
	else
		bad "$what"; sed 's/^/     /' "$log"
		in_rx "$CLI" steer stats | sed 's/^/     /'
	fi
	in_rx xdp-loader unload --all $IF_RX
	rm -rf /sys/fs/bpf/xsk-devmem
	link_cleanup
	areas_gone || bad "$what: areas left"
}

gone() {
	local log=/tmp/dmabuf_zc.gone.log n=400
	link_pair 9000 || { bad "gone: set-up"; return; }
	in_rx "$CLI" steer load -m native $IF_RX >/dev/null &&
	in_rx "$CLI" steer rule add dst "$ADDR_RX/32" proto udp dport $PORT action redirect split l4 >/dev/null ||
		{ bad "gone: loading steer"; link_cleanup; return; }
	in_rx "$RX" -i $IF_RX -p $PORT -n $n --zc --area-mb 8 --until-gone -t 120 >"$log" 2>&1 &
	local rx=$!
	wait_line "$log" 'dmabuf_rx: ready' 30 &&
		in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n $n -l 1472,8972 -b 16 -g 500 >>"$log" 2>&1
	sleep 1
	link_del
	if wait $rx; then
		ok "gone: device deleted under a zero-copy socket"
		grep -E 'gone|kernel:|seen:' "$log" | sed 's/^/     /'
	else
		bad "gone"; sed 's/^/     /' "$log"
	fi
	rm -rf /sys/fs/bpf/xsk-devmem
	link_cleanup
	areas_gone || bad "gone: areas left"
}

# steer_on WHAT: steer.bpf.o in native mode, IPv4 datagrams to $PORT to the
# socket of their queue, split after the UDP header.
steer_on() {
	in_rx "$CLI" steer load -m native $IF_RX >/dev/null &&
	in_rx "$CLI" steer rule add dst "$ADDR_RX/32" proto udp dport $PORT action redirect split l4 >/dev/null ||
		{ bad "$1: loading steer"; return 1; }
}

steer_off() {
	in_rx xdp-loader unload --all $IF_RX
	rm -rf /sys/fs/bpf/xsk-devmem
}

# starve: a zero-copy socket stops giving chunks back after n datagrams
# (dmabuf_rx --starve-after) and only reads, while k datagrams come: the
# queue's page pool runs the dmabuf fill ring dry, drops what it has no
# buffer for and asks for a wakeup. Then the socket gives every reference
# back and kicks, and the l datagrams sent after that must all arrive
# intact. What went missing must be what the driver counted as dropped,
# frame for frame. The counters:
#   driver (debugfs hds/queues, per RX queue, only queue 0 here):
#     drops       frames dropped before the program ran: no buffer
#                 (a page pool gave none) or a DMA fault
#     alloc_fail  frames of those that found a page pool empty (once per
#                 frame: the frame is dropped at its first failed buffer)
#     fifo_drops  frames lost on the wire: the queue's FIFO was full
#     xdp_drop    XDP_DROP and XDP_ABORTED, failed redirects included (a
#                 full RX ring, no host chunk: the socket counts those
#                 too, XDP_STATISTICS rx_ring_full and rx_dropped)
#   the socket (XDP_DMABUF_STATISTICS):
#     fill empty  fill_empty_descs: alloc_netmems found the dmabuf fill ring
#                 empty and gave the payload pool nothing; the driver drops
#                 the frame (alloc_fail, drops)
# So: sent = received + drops + fifo_drops + xdp_drop, and the starvation
# drops are fill empty = alloc_fail = drops.
starve() {
	local log=/tmp/dmabuf_zc.starve.log go=/tmp/dmabuf_zc.refill snap=/tmp/dmabuf_zc.snap
	local d=/tmp/dmabuf_zc.delta n=100 k=600 l=300 sizes=1472,8972 rx rc
	local empty0 empty drops afail fifo xdrop lost ringfull dropped
	link_pair 9000 || { bad "starve: set-up"; return; }
	steer_on starve || { link_cleanup; return; }
	rm -f $go
	nsim_snap rx >$snap
	# 2 MiB: 512 chunks, all lent at once; 1472 B datagrams take one,
	# 8972 B three: the ring runs dry some 250 datagrams after the 100th.
	in_rx "$RX" -i $IF_RX -p $PORT -n $((k + l)) --all-from $k --zc --area-mb 2 \
		--starve-after $n --refill-on $go --idle 10 -t 300 >"$log" 2>&1 &
	rx=$!
	if wait_line "$log" 'dmabuf_rx: ready' 30 &&
	   in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n $k -l $sizes -b 16 -g 500 >>"$log" 2>&1 &&
	   wait_line "$log" 'dmabuf_rx: starved' 60; then
		# Starved: every frame still on the wire is dropped, then quiet.
		nsim_settle 1 30 >/dev/null
		nsim_delta rx $snap >$d.starved
		touch $go
		wait_line "$log" 'dmabuf_rx: refilled' 30 &&
			in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n $l --seq-base $k -l $sizes \
				-b 16 -g 500 >>"$log" 2>&1
	fi
	wait $rx; rc=$?
	nsim_settle 1 30 >/dev/null
	nsim_delta rx $snap >$d
	rm -f $go
	empty0=$(logged "$log" 's/^dmabuf_rx: starved after .* fill empty \([0-9]*\)$/\1/p')
	empty=$(logged "$log" 's/^dmabuf_rx: kernel: .* fill empty \([0-9]*\),.*/\1/p')
	ringfull=$(logged "$log" 's/^dmabuf_rx: kernel: .* rx ring full \([0-9]*\)$/\1/p')
	dropped=$(logged "$log" 's/^dmabuf_rx: kernel: .* rx dropped \([0-9]*\),.*/\1/p')
	lost=$(logged "$log" 's/^dmabuf_rx: missing: \([0-9]*\) of seq 0\.\..*/\1/p')
	drops=$(nsim_field $d 0 drops) afail=$(nsim_field $d 0 alloc_fail)
	fifo=$(nsim_field $d 0 fifo_drops) xdrop=$(nsim_field $d 0 xdp_drop)
	if [ $rc = 0 ]; then
		ok "starve: all $l datagrams sent after the refill arrived intact"
	else
		bad "starve: dmabuf_rx"; sed 's/^/     /' "$log"
	fi
	grep -E 'starved|refilled|intact|missing|kernel:|zero copy' "$log" | sed 's/^/     /'
	echo "     netdevsim queue 0: drops $drops alloc_fail $afail fifo_drops $fifo xdp_drop $xdrop" \
		"(at the refill: drops $(nsim_field $d.starved 0 drops))"
	if [ "${empty0:-0}" -gt 0 ]; then
		ok "starve: need_wakeup set on the dmabuf fill ring, kernel counted $empty0 empty fill ring allocations by then"
	else
		bad "starve: fill empty '${empty0:-}' when the ring asked for a wakeup"
	fi
	if grep -q '^dmabuf_rx: refilled: .*need_wakeup was set: kicked' "$log"; then
		ok "starve: need_wakeup still set at the refill; kicked, and clear at the end"
	else
		bad "starve: need_wakeup not set at the refill"
	fi
	same "starve: starvation drops (fill empty, driver alloc_fail, driver drops)" \
		"$empty $afail $drops" "$drops $drops $drops"
	same "starve: drops after the refill" "$((drops - $(nsim_field $d.starved 0 drops)))" 0
	same "starve: missing datagrams of the $k before the refill = drops + fifo_drops + xdp_drop" \
		"${lost:-?}" "$((drops + fifo + xdrop))"
	same "starve: the socket's own drops (rx dropped, rx ring full)" "$dropped $ringfull" "0 0"
	steer_off
	link_cleanup
	areas_gone || bad "starve: areas left"
}

# restart: the queue of a zero-copy socket is restarted `rounds` times
# (debugfs queue_restart: netdev_rx_queue_restart(), new page pools that
# take the provider, the old ones freed once their chunks are back) while
# a steady stream of k datagrams comes; frames must arrive after each
# restart, the chunks the old pools held come back on the completion ring
# while receiving goes on (dmabuf_rx lends them again), and the l
# datagrams sent after the last restart all arrive intact. Anything lost
# on the way must be counted by the driver, as in starve, and nothing may
# be lost for want of a payload buffer.
restart_q() {
	local log=/tmp/dmabuf_zc.restart.log snap=/tmp/dmabuf_zc.snap d=/tmp/dmabuf_zc.delta
	local rounds=${DMABUF_ZC_RESTARTS:-5} k=2000 l=300 sizes=1472,8972,100,4000
	local file rx tx rc r i before lost back empty drops fifo xdrop t0
	link_pair 9000 || { bad "restart: set-up"; return; }
	steer_on restart || { link_cleanup; return; }
	file=$(nsim_hds_dir rx)/queue_restart
	nsim_snap rx >$snap
	in_rx "$RX" -i $IF_RX -p $PORT -n $((k + l)) --all-from $k --zc --area-mb 8 --idle 10 -t 600 \
		>"$log" 2>&1 &
	rx=$!
	wait_line "$log" 'dmabuf_rx: ready' 30 || { bad "restart: dmabuf_rx"; kill_tree $rx; steer_off; link_cleanup; return; }
	# About 100 datagrams a second: some 20 s of traffic.
	in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n $k -l $sizes -b 4 -g 40000 >>"$log" 2>&1 &
	tx=$!
	t0=$SECONDS
	for ((r = 1; r <= rounds; r++)); do
		sleep 1
		before=$(nsim_snap rx | nsim_field /dev/stdin 0 xdp_redirect)
		if ! in_rx sh -c "echo 0 > $file" 2>/tmp/dmabuf_zc.err; then
			bad "restart: queue restart $r: $(cat /tmp/dmabuf_zc.err)"
			continue
		fi
		for ((i = 0; i < 100; i++)); do
			[ "$(nsim_snap rx | nsim_field /dev/stdin 0 xdp_redirect)" -gt "$before" ] && break
			sleep 0.1
		done
		if [ $i -lt 100 ]; then
			ok "restart: queue 0 restarted ($r of $rounds, $((SECONDS - t0)) s in), frames redirected to the socket after it"
		else
			bad "restart: no frame redirected within 10 s of restart $r"
		fi
	done
	if kill -0 $tx 2>/dev/null; then
		ok "restart: the stream still running after the last restart"
	else
		bad "restart: the stream ended before the last restart (not under traffic)"
	fi
	wait $tx
	in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n $l --seq-base $k -l $sizes -b 16 -g 500 >>"$log" 2>&1
	wait $rx; rc=$?
	nsim_settle 1 30 >/dev/null
	nsim_delta rx $snap >$d
	lost=$(logged "$log" 's/^dmabuf_rx: missing: \([0-9]*\) of seq 0\.\..*/\1/p')
	back=$(logged "$log" 's/^dmabuf_rx: seen: .* (\([0-9]*\) while receiving).*/\1/p')
	empty=$(logged "$log" 's/^dmabuf_rx: kernel: .* fill empty \([0-9]*\),.*/\1/p')
	drops=$(nsim_field $d 0 drops) fifo=$(nsim_field $d 0 fifo_drops) xdrop=$(nsim_field $d 0 xdp_drop)
	if [ $rc = 0 ]; then
		ok "restart: all $l datagrams sent after the last restart arrived intact"
	else
		bad "restart: dmabuf_rx"; sed 's/^/     /' "$log"
	fi
	grep -E 'intact|missing|seen:|kernel:|zero copy' "$log" | sed 's/^/     /'
	echo "     netdevsim queue 0: drops $drops fifo_drops $fifo xdp_drop $xdrop"
	if [ "${back:-0}" -gt 0 ]; then
		ok "restart: $back chunks of the old page pools came back on the completion ring while receiving"
	else
		bad "restart: no chunk came back on the completion ring while receiving"
	fi
	same "restart: missing datagrams of the $k during the restarts = drops + fifo_drops + xdp_drop" \
		"${lost:-?}" "$((drops + fifo + xdrop))"
	# Nothing need be lost: frames wait on the wire FIFO while the queue
	# restarts, and dmabuf_rx gives every reference back at once, so the
	# fill ring never runs dry (its fewest unread entries are shown).
	same "restart: frames dropped for want of a payload buffer (fill empty)" "${empty:-?}" 0
	steer_off
	link_cleanup
	areas_gone || bad "restart: areas left"
}

# The RX queues of $IF_RX bound to a dmabuf as netdev queue-get shows
# them ("2 3"): devmem's bindings, whose id the dump reads; a queue with
# the zero-copy provider must not show as one.
dmabuf_queues() {
	local ifindex
	ifindex=$(nsim_ifindex rx $IF_RX)
	nsim_ynl rx netdev --dump queue-get --json "{\"ifindex\": $ifindex}" >/tmp/dmabuf_zc.queues 2>&1 ||
		{ echo "queue-get failed: $(head -n 2 /tmp/dmabuf_zc.queues)"; return; }
	/usr/bin/python3 -c '
import json, sys
print(" ".join(str(q["id"]) for q in sorted(json.load(open(sys.argv[1])), key=lambda q: q["id"])
               if q.get("type") == "rx" and "dmabuf" in q))' /tmp/dmabuf_zc.queues
}

# devmem: devmem TCP and the zero-copy provider on one device. Upstream's
# ncdevmem (run as vm/ncdevmem.sh runs it, 4 queues) binds queue 2 to a
# udmabuf through devmem's provider and waits in accept(); meanwhile
#   a zero-copy bind on queue 2 is refused (EBUSY, reason QUEUE_BUSY);
#   one on queue 3 binds (devmem's provider and ours on two queues; no
#   XDP program, which devmem's excludes device-wide), and a socket
#   stays bound there for the rest of ncdevmem's run;
#   XDP cannot be attached (devmem's provider is not made for XDP: the
#   core refuses);
#   ncdevmem's data run completes, every byte validated in the dmabuf.
# After ncdevmem exits, steer loads and a zero-copy socket on queue 3
# (an ntuple rule steers the datagrams there) receives every datagram.
devmem() {
	local ncd=$XSK_BUILD/ncdevmem/ncdevmem t=/tmp/dmabuf_zc.devmem pin=/sys/fs/bpf/zc_devmem_xsks
	local bytes=$((1024 * 1024 + 4321)) n=300 ncd_pid holder rx rc total err p
	[ -x "$ncd" ] && command -v socat >/dev/null || { bad "devmem: needs $ncd (make ncdevmem) and socat"; return; }
	link_pair 1500 4 || { bad "devmem: set-up"; return; }
	# The pattern ncdevmem -v 7 checks: 1, 2, 3, 4, 5, 6, 0, 1, ...
	yes "$(printf '\001\002\003\004\005\006')" | tr '\n' '\0' | head -c $bytes >$t.payload
	PATH=$NSIM_WRAP:$PATH in_rx timeout 600 "$ncd" -l -f $IF_RX -s "$ADDR_RX" -c "$ADDR_TX" -p 5201 \
		-t 2 -q 1 -v 7 >$t.out 2>$t.err &
	ncd_pid=$!
	if ! wait_line $t.err '^Waiting or connection' 240; then
		bad "devmem: ncdevmem did not bind queue 2"; tail -n 20 $t.err | sed 's/^/     | /'
		kill_tree $ncd_pid; link_cleanup; rm -f $t.*; return
	fi
	expect "devmem's queue 2" "bind: EBUSY refusal 5 errno 16" -i $IF_RX -q 2 --zc --area-mb 8
	expect "queue 3, devmem on queue 2, no XDP program" "bind: ok mode 2" -i $IF_RX -q 3 --zc --area-mb 8
	rm -f $pin
	bpftool map create $pin type xskmap key 4 value 4 entries 4 name zc_devmem &&
	in_rx "$RX" -i $IF_RX -q 3 -p $PORT -n 1 --zc --area-mb 8 --xskmap $pin -t 600 --idle 600 \
		>$t.hold 2>&1 &
	holder=$!
	wait_line $t.hold 'dmabuf_rx: ready' 30 || { bad "devmem: zero-copy socket on queue 3"; cat $t.hold; }
	# devmem's binding on queue 2 only: ours on queue 3 is no devmem binding.
	same "devmem: queues bound to a dmabuf, zero-copy socket on queue 3 (queue-get)" "$(dmabuf_queues)" 2
	if err=$(in_rx "$CLI" steer load -m native $IF_RX 2>&1); then
		bad "devmem: steer loaded with devmem bound: $err"
		steer_off
	else
		ok "devmem: steer load refused with devmem bound: $(tr '\n' ' ' <<<"$err")"
	fi
	if err=$(in_rx ip link set dev $IF_RX xdpdrv obj "$XSK_BUILD/selftests/bpf/xdp_pass.bpf.o" sec xdp 2>&1); then
		bad "devmem: an XDP program attached with devmem bound"
		in_rx ip link set dev $IF_RX xdpdrv off
	else
		ok "devmem: ip link set xdpdrv refused: $(tr '\n' ' ' <<<"$err")"
	fi
	# What ip's BPF loader made on the bpffs, if still empty.
	for p in /sys/fs/bpf/tc/globals /sys/fs/bpf/xdp/globals /sys/fs/bpf/tc /sys/fs/bpf/ip; do
		if [ -L $p ]; then rm -f $p; else rmdir $p 2>/dev/null; fi
	done
	in_tx timeout 600 socat -u "OPEN:$t.payload" "TCP4:$ADDR_RX:5201,sourceport=5201,reuseaddr" ||
		bad "devmem: the socat sender failed"
	wait $ncd_pid; rc=$?
	total=$(sed -n 's/^total_received=\([0-9]*\)$/\1/p' $t.err | tail -n 1)
	if [ $rc = 0 ] && [ "$total" = $bytes ] && ! grep -q 'Failed validation' $t.err; then
		ok "devmem: ncdevmem received and validated $total bytes on queue 2 next to the zero-copy socket"
	else
		bad "devmem: ncdevmem exit $rc, total_received '$total' of $bytes"
		grep -v '^received frag_page=\|^recvmsg ret=\|^total_received=' $t.err | tail -n 20 | sed 's/^/     | /'
	fi
	kill -0 $holder 2>/dev/null || { bad "devmem: the zero-copy socket on queue 3 exited"; cat $t.hold; }
	kill_tree $holder
	rm -f $pin
	# XDP is allowed again: devmem's binding went with ncdevmem.
	steer_on devmem || { link_cleanup; rm -f $t.*; return; }
	PATH=$NSIM_WRAP:$PATH in_rx ethtool -N $IF_RX flow-type udp4 dst-ip $ADDR_RX dst-port $PORT action 3 >/dev/null
	in_rx "$RX" -i $IF_RX -q 3 -p $PORT -n $n --zc --area-mb 8 -t 180 >$t.rx 2>&1 &
	rx=$!
	wait_line $t.rx 'dmabuf_rx: ready' 30 && link_xdp_mark &&
		in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n $n -l 100,1000,1472 -b 16 -g 500 >>$t.rx 2>&1
	if wait $rx && link_xdp_check "to port $PORT" $n >>$t.rx; then
		ok "devmem: after ncdevmem, steer loaded and a zero-copy socket on queue 3 received all $n datagrams"
		grep -E 'intact|zero copy:|netdevsim:' $t.rx | sed 's/^/     /'
	else
		bad "devmem: zero copy on queue 3 after ncdevmem"; sed 's/^/     /' $t.rx
	fi
	steer_off
	# devmem's pools go once their buffers are back (skbs on defer lists).
	nsim_defer_flush
	link_cleanup
	rm -f $t.*
	areas_gone || bad "devmem: areas left"
}

le32() { printf '%d %d %d %d' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }

# xdp-safe: zc_probe.bpf.o tries to read and write every datagram's payload
# (device memory here): the headers read fine, the payload gives -EFAULT
# and is never changed, and of the verdicts only the redirect to the
# zero-copy socket delivers; XDP_PASS, XDP_TX and a devmap redirect drop,
# counted by the driver (hds/queues "unreadable").
xdp_safe() {
	local pin=/sys/fs/bpf/zc_probe log=/tmp/dmabuf_zc.safe.log n=200 m=50 st want
	local snap=/tmp/dmabuf_zc.snap d=/tmp/dmabuf_zc.delta act name holder
	link_pair 9000 || { bad "xdp-safe: set-up"; return; }
	rm -rf $pin; mkdir -p $pin
	bpftool prog load "$XSK_BUILD/selftests/bpf/zc_probe.bpf.o" $pin/prog pinmaps $pin &&
	in_rx bpftool net attach xdpdrv pinned $pin/prog dev $IF_RX &&
	bpftool map update pinned $pin/cfg key 0 0 0 0 value $(le32 $PORT) $(le32 0) &&
	in_rx ip link add zcd0 type veth peer name zcd1 && in_rx ip link set zcd0 up &&
	in_rx ip link set zcd1 up &&
	in_rx bpftool map update pinned $pin/devs key 0 0 0 0 value $(le32 "$(in_rx ip -o link show zcd0 | cut -d: -f1)") ||
		{ bad "xdp-safe: loading zc_probe"; link_cleanup; rm -rf $pin; return; }
	in_rx "$RX" -i $IF_RX -p $PORT -n $n --zc --area-mb 8 --xskmap $pin/xsks -t 120 >"$log" 2>&1 &
	local rx=$!
	wait_line "$log" 'dmabuf_rx: ready' 30 &&
		in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n $n -l 1000,8972 -b 16 -g 500 >>"$log" 2>&1
	wait $rx; local rc=$?
	st=$(bpftool -j map dump pinned $pin/stats | jq -r '[.[].formatted.value] | join(" ")')
	# frames multi head_ok load_efault load_ok store_efault store_ok other
	want="$n $n $n $n 0 $n 0 0"
	if [ $rc = 0 ] && [ "$st" = "$want" ]; then
		ok "xdp-safe: redirect to the zero-copy socket, payload reads and writes refused (stats $st)"
		grep -E 'intact|zero copy' "$log" | sed 's/^/     /'
	else
		bad "xdp-safe: redirect (stats '$st', want '$want')"; sed 's/^/     /' "$log"
	fi
	# The provider stays on the queue while the frames go elsewhere.
	in_rx "$RX" -i $IF_RX -p $PORT -n 1 --zc --area-mb 8 --xskmap $pin/xsks -t 120 --idle 120 \
		>"$log.hold" 2>&1 &
	holder=$!
	wait_line "$log.hold" 'dmabuf_rx: ready' 30 || bad "xdp-safe: holder"
	for act in 1:XDP_PASS 2:XDP_TX 3:devmap; do
		name=${act#*:}; act=${act%%:*}
		bpftool map update pinned $pin/cfg key 0 0 0 0 value $(le32 $PORT) $(le32 $act)
		nsim_snap rx >$snap
		in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n $m -l 1000,8972 -b 8 -g 500 >/dev/null 2>&1
		nsim_settle 1 20 >/dev/null
		nsim_delta rx $snap >$d
		if [ "$(nsim_field $d all unreadable)" = $m ] && [ "$(nsim_field $d all xdp_tx)" = 0 ] &&
		   [ "$(nsim_field $d all xdp_redirect)" = 0 ]; then
			ok "xdp-safe: $name of $m frames with device-memory frags: dropped, counted"
		else
			bad "xdp-safe: $name"; sed 's/^/     /' $d
		fi
	done
	kill $holder 2>/dev/null; wait $holder 2>/dev/null
	in_rx bpftool net detach xdpdrv dev $IF_RX
	in_rx ip link del zcd0
	rm -rf $pin
	link_cleanup
	areas_gone || bad "xdp-safe: areas left"
}

SIZES=22,100,1000,1472,3000,4000,8972
CASES=${DMABUF_ZC_CASES:-refusals+traffic+gone+xdp-safe+starve+restart+devmem}
for c in ${CASES//+/ }; do
	case $c in
	refusals) refusals ;;
	traffic)
		traffic "IPv4 $SIZES" "$ADDR_RX" $SIZES l4
		traffic "IPv6, policy split l4+16 (mismatch)" "$ADDR6_RX" 22,1000,4000,8952 l4+16
		traffic "IPv4, hostile fill ring" "$ADDR_RX" 22,1472,8972 l4 --hostile 2 ;;
	gone) gone ;;
	xdp-safe) xdp_safe ;;
	starve) starve ;;
	restart) restart_q ;;
	devmem) devmem ;;
	*) bad "no case $c" ;;
	esac
done
[ $fails = 0 ]
