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
# After each, no dmabuf area may be left (debugfs xsk_dmabuf/areas) once
# the page pools have drained. DMABUF_ZC_CASES picks some (separated by +,
# default: all).
. "$XSK_TOP/selftests/lib/link.sh"
set -u
[ "$XSK_LINK" = nsim-split ] || { echo "dmabuf_zc: runs over nsim-split (TESTS)"; exit 4; }
CLI=$XSK_BUILD/user/xsk-devmem
RX=$TOOLS/dmabuf_rx
AREAS=/sys/kernel/debug/xsk_dmabuf/areas
PORT=4791
fails=0

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# No area left: the sockets' UMEMs are gone once the queue's page pools
# have let go of their chunks and the provider instances are freed.
areas_gone() {
	local i
	for i in $(seq 50); do
		[ -s $AREAS ] || return 0
		sleep 0.2
	done
	echo "areas left:"; sed 's/^/     /' $AREAS
	return 1
}

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
CASES=${DMABUF_ZC_CASES:-refusals+traffic+gone+xdp-safe}
for c in ${CASES//+/ }; do
	case $c in
	refusals) refusals ;;
	traffic)
		traffic "IPv4 $SIZES" "$ADDR_RX" $SIZES l4
		traffic "IPv6, policy split l4+16 (mismatch)" "$ADDR6_RX" 22,1000,4000,8952 l4+16
		traffic "IPv4, hostile fill ring" "$ADDR_RX" 22,1472,8972 l4 --hostile 2 ;;
	gone) gone ;;
	xdp-safe) xdp_safe ;;
	*) bad "no case $c" ;;
	esac
done
[ $fails = 0 ]
