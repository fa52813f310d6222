#!/bin/bash
# The guest half of `make bench-rx` (scripts/bench-rx.sh boots the guest
# with -icount, so time counts instructions: 1 ns = 1 instruction), over
# the reference driver with header split (bench/vm_rx.sh@nsim-split): one
# netdevsim pair, 4 queues, every flow of the run steered to queue $Q
# (ethtool -N; RSS over the queues below it), the receivers one after the
# other on that queue:
#   (a) xsk     plain AF_XDP, copy mode, host UMEM only        (rx_bench -m xsk)
#   (b) dmabuf  the dmabuf UMEM, copy mode, split at L4 end     (rx_bench -m dmabuf)
#   (c) zc      the dmabuf UMEM in zero copy: the provider      (rx_bench -m zc)
#   (d) devmem  devmem TCP into the same kind of udmabuf        (devmem_rx)
# (a)-(c) receive UDP from pkt_gen (AF_PACKET, sendmmsg x64, in the sending
# namespace) through steer.bpf.o in native XDP, MTU 9000; (d) receives one
# TCP stream from socat with the MTU set so that a segment carries the
# payload size (at most 9000), XDP unloaded (6.12 keeps devmem TCP and XDP
# apart device-wide, and so does the series).
#
# Per packet (a segment for (d)) it reports what the receive path cost the
# CPU (napi_meter.h: the receiving port's NAPI polls minus the simulated
# device's DMA, which the driver times itself, plus the receiver process
# minus the softirqs it hosted), the device's DMA apart, the payload bytes
# the CPU copied, and the issue's targets as ratios of this one run.
# Not a test: it fails only if a receiver cannot be set up or gets nothing.
#   BENCH_COUNT   packets per run (default 20000)
#   BENCH_SIZES   payload sizes, separated by _ or , (default 1500_8192_8958:
#                 8958 fills a 9000-byte frame)
#   BENCH_MODES   any of xsk dmabuf zc devmem udp (udp: recvmmsg, a reference
#                 through XDP_PASS; not by default)
. "$XSK_TOP/selftests/lib/link.sh"
set -u
[ "$XSK_LINK" = nsim-split ] || { echo "bench: runs over nsim-split"; exit 4; }
export PATH=$NSIM_WRAP:$PATH
N=${BENCH_COUNT:-20000}
SIZES=${BENCH_SIZES:-1500_8192_8958}
MODES=${BENCH_MODES:-xsk_dmabuf_zc_devmem}
Q=2 PORT_XSK=4791 PORT_UDP=4792 PORT_TCP=5201
PIN=/sys/fs/bpf/xsk-devmem-bench
XSK=$XSK_BUILD/user/xsk-devmem
RXB=$XSK_BUILD/selftests/bench/rx_bench
DRX=$XSK_BUILD/selftests/bench/devmem_rx
res=/tmp/bench-rx.res
: >"$res"

has_mode() { [[ "_${MODES//,/_}_" == *"_$1_"* ]]; }

link_pair 9000 4 || exit 1
in_rx ethtool -K $IF_RX ntuple on && in_rx ethtool -X $IF_RX equal $Q >/dev/null || exit 1
for rule in "udp4 dst-ip $ADDR_RX dst-port $PORT_XSK" "udp4 dst-ip $ADDR_RX dst-port $PORT_UDP" \
	    "tcp4 dst-ip $ADDR_RX dst-port $PORT_TCP"; do
	# shellcheck disable=SC2086
	in_rx ethtool -N $IF_RX flow-type $rule action $Q >/dev/null
done
# Debian's ethtool 6.1 exits 0 when the kernel refuses a rule: count them.
rules=$(in_rx ethtool -n $IF_RX | sed -n 's/^Total \([0-9]*\) rules$/\1/p')
[ "$rules" = 3 ] || { echo "bench: ${rules:-no} flow rules, want 3"; exit 1; }
dmac=$(in_rx ip -br link show dev $IF_RX | awk '{ print $3 }')
echo "bench: $N packets per run; UDP from pkt_gen (AF_PACKET, PACKET_QDISC_BYPASS, sendmmsg x64), TCP from socat"
echo "bench: guest $(uname -r), $(nproc) vCPU(s), QEMU TCG with -icount: 1 ns = 1 instruction"
echo "bench: netdevsim pair, 4 queues, tcp-data-split on, every flow on queue $Q"

# run_done MODE SIZE SNAP LOG: one result line from the receiver's line and
# the driver's counters over the run.
# res: SIZE MODE pkts secs payload_bytes payload_copied rx_napi_ns self_ns dma_ns dma_bytes
#      cpu_ns_per_pkt (the receive path: rx_napi_ns - dma_ns + self_ns, per packet)
run_done() {
	local mode=$1 size=$2 snap=$3 log=$4 line pkts d=/tmp/bench-rx.delta
	nsim_delta rx "$snap" >$d
	line=$(grep -h '^\(rx_bench\|devmem_rx\): \(mode\|bytes\)' "$log")
	[ -n "$line" ] || { echo "bench: $mode $size: no result"; cat "$log"; exit 1; }
	# field VALUE after NAME in the receiver's line
	f() { awk -v k="$1" '{ for (i = 2; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$line"; }
	if [ "$mode" = devmem ]; then
		pkts=$(nsim_field $d $Q packets)
		[ "$(f linear_bytes)" = 0 ] || echo "  [$mode $size] $(f linear_bytes) bytes copied (SCM_DEVMEM_LINEAR)"
		echo "$size $mode $pkts $(f seconds) $(f bytes) $(f linear_bytes)" \
			"$(f rx_napi_ns) $(f self_ns) $(nsim_field $d all dma_ns) $(nsim_field $d all dma_bytes)" >>"$res.raw"
	else
		# From the first frame sent to the last received.
		pkts=$(f packets)
		secs=$(awk -v last="$(f last_mono)" '/^pkt_gen:/ { for (i = 1; i < NF; i++)
			if ($i == "(monotonic") printf "%.6f", last - $(i + 1) }' "$log.gen")
		echo "$size $mode $pkts $secs $(f payload_bytes)" \
			"$(awk -v p="$pkts" -v c="$(f payload_copied_per_pkt)" 'BEGIN { printf "%.0f", p * c }')" \
			"$(f rx_napi_ns) $(f self_ns) $(nsim_field $d all dma_ns) $(nsim_field $d all dma_bytes)" >>"$res.raw"
	fi
	awk '{ print $0, ($3 ? sprintf("%.1f", ($7 - $9 + $8) / $3) : 0) }' "$res.raw" >>"$res"
	rm -f "$res.raw"
	echo "  [$mode $size] $line"
	echo "  [$mode $size] driver: $(nsim_field $d $Q packets) frames to the stack and" \
		"$(nsim_field $d $Q xdp_redirect) redirected on queue $Q," \
		"$(nsim_field $d all split) split, $(nsim_field $d all drops) drops," \
		"$(nsim_field $d all fifo_drops) fifo drops, $(nsim_field $d all alloc_fail) no buffer"
}

if has_mode xsk || has_mode dmabuf || has_mode zc || has_mode udp; then
	rm -rf "$PIN"
	in_rx "$XSK" steer -p "$PIN" load $IF_RX -m native >/dev/null &&
	in_rx "$XSK" steer -p "$PIN" rule add dst $ADDR_RX/32 proto udp dport $PORT_XSK \
		action redirect queue split l4 >/dev/null || { echo "bench: cannot load steer"; exit 1; }
	for size in ${SIZES//[,_]/ }; do
		for mode in xsk dmabuf zc udp; do
			has_mode $mode || continue
			port=$PORT_XSK; [ $mode = udp ] && port=$PORT_UDP
			log=/tmp/bench-rx.$mode.$size.log
			nsim_snap rx >/tmp/bench-rx.snap
			in_rx "$RXB" -m $mode -i $IF_RX -q $Q -p $port -n "$N" --xskmap "$PIN/steer_xsks" \
				--meter $IF_RX -t 600 >"$log" 2>&1 &
			rx=$!
			wait_line "$log" 'rx_bench: ready' 60 || { cat "$log"; exit 1; }
			in_tx "$TOOLS/pkt_gen" -i $IF_TX -s $ADDR_TX -d $ADDR_RX -m "$dmac" -p $port \
				-l "$size" -n "$N" >"$log.gen" 2>&1 || { cat "$log.gen"; exit 1; }
			wait $rx || { echo "bench: $mode $size: receiver failed"; cat "$log"; exit 1; }
			grep -hv 'rx_bench: \(mode\|ready\)' "$log" "$log.gen" | sed "s/^/  [$mode $size] /"
			run_done $mode "$size" /tmp/bench-rx.snap "$log"
		done
	done
	in_rx "$XSK" steer -p "$PIN" unload $IF_RX >/dev/null 2>&1
	rm -rf "$PIN"
fi

if has_mode devmem; then
	command -v socat >/dev/null || { echo "bench: no socat (scripts/deps.sh)"; exit 1; }
	for size in ${SIZES//[,_]/ }; do
		# A segment of SIZE payload bytes: IPv4 + TCP with timestamps.
		mtu=$((size + 52)); [ $mtu -gt 9000 ] && mtu=9000
		in_tx ip link set $IF_TX mtu $mtu && in_rx ip link set $IF_RX mtu $mtu || exit 1
		bytes=$((N * (mtu - 52)))
		log=/tmp/bench-rx.devmem.$size.log
		nsim_settle 1 20 >/dev/null
		in_rx "$DRX" -i $IF_RX -q $Q -p $PORT_TCP -n $bytes --meter $IF_RX -t 600 >"$log" 2>&1 &
		rx=$!
		wait_line "$log" 'devmem_rx: ready' 60 || { cat "$log"; exit 1; }
		nsim_snap rx >/tmp/bench-rx.snap
		# Writes of whole segments: no short segment at each write's end.
		head -c $bytes /dev/zero |
			in_tx socat -u -b $(((mtu - 52) * 40)) STDIN TCP4:$ADDR_RX:$PORT_TCP >"$log.gen" 2>&1 ||
			{ echo "bench: devmem $size: socat failed"; cat "$log.gen"; }
		wait $rx || { echo "bench: devmem $size: receiver failed"; cat "$log"; exit 1; }
		grep -hv 'devmem_rx: \(bytes\|ready\)' "$log" "$log.gen" | sed "s/^/  [devmem $size] /"
		run_done devmem "$size" /tmp/bench-rx.snap "$log"
	done
fi

echo
printf '%-7s %-7s %9s %10s %9s %9s %11s %10s %10s %8s\n' payload receiver packets pkt/s \
	"pay MB/s" "B/pkt" "copied B/pkt" "CPU ns/pkt" "DMA ns/pkt" "vs (a)"
awk '
	{ rows[NR] = $0; c[$1, $2] = $11 }
	END {
		for (i = 1; i <= NR; i++) {
			split(rows[i], f, " ")
			base = c[f[1], "xsk"]
			printf "%-7s %-7s %9d %10.0f %9.2f %9.0f %11.1f %10.0f %10.0f %7s\n",
				f[1], f[2], f[3], (f[4] > 0 ? f[3] / f[4] : 0),
				(f[4] > 0 ? f[5] / f[4] / 1e6 : 0), (f[3] ? f[5] / f[3] : 0),
				(f[3] ? f[6] / f[3] : 0), c[f[1], f[2]], (f[3] ? f[9] / f[3] : 0),
				(base > 0 ? sprintf("%.2fx", c[f[1], f[2]] / base) : "-")
		}
	}' "$res"
echo
echo "B/pkt: payload bytes per packet (TCP: per segment). copied B/pkt: payload bytes the CPU"
echo "copied into receive buffers (the kernel's counter for the dmabuf modes, SCM_DEVMEM_LINEAR"
echo "for devmem). CPU ns/pkt: the receive path's CPU time per packet, the device's DMA"
echo "excluded (NAPI polls of the receiving port - DMA + the receiver process); DMA ns/pkt: the"
echo "simulated device's writes, reported apart. vs (a): CPU ns/pkt against plain AF_XDP."
echo
echo "targets (issue 12), from this run:"
awk '
	function verdict(ok) { return ok ? "met" : "MISSED" }
	{ c[$1, $2] = $11; byte[$1, $2] = ($3 ? $5 / $3 : 0); cp[$1, $2] = $6; seen[$1, $2] = 1
	  if (!($1 in sz)) { sz[$1] = 1; sizes[++n] = $1 } }
	END {
		for (i = 1; i <= n; i++) {
			s = sizes[i]
			if (seen[s, "zc"])
				printf "  (c) copies no payload byte at %s B: %d bytes copied: %s\n", s, cp[s, "zc"],
					verdict(cp[s, "zc"] == 0)
		}
		if (seen[8192, "zc"] && seen[8192, "xsk"])
			printf "  (c) at 8192 B <= 0.5x (a): %.0f vs %.0f ns/pkt = %.2fx: %s\n", c[8192, "zc"],
				c[8192, "xsk"], c[8192, "zc"] / c[8192, "xsk"],
				verdict(c[8192, "zc"] <= 0.5 * c[8192, "xsk"])
		if (seen[8958, "zc"] && seen[1500, "zc"])
			printf "  (c) at 8958 B (9000-byte frames) <= 1.1x (c) at 1500 B: %.0f vs %.0f ns/pkt = %.2fx: %s\n",
				c[8958, "zc"], c[1500, "zc"], c[8958, "zc"] / c[1500, "zc"],
				verdict(c[8958, "zc"] <= 1.1 * c[1500, "zc"])
		for (i = 1; i <= n; i++) {
			s = sizes[i]
			if (seen[s, "zc"] && seen[s, "devmem"] && byte[s, "zc"] && byte[s, "devmem"]) {
				a = c[s, "zc"] / byte[s, "zc"]; b = c[s, "devmem"] / byte[s, "devmem"]
				printf "  (c) CPU per payload byte <= (d) at %s B: %.3f vs %.3f ns/B = %.2fx: %s\n",
					s, a, b, a / b, verdict(a <= b)
			}
		}
	}' "$res"
