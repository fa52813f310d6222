#!/bin/bash
# The guest half of `make bench-rx` (scripts/bench-rx.sh boots the guest
# with -icount, so time counts instructions): one veth pair, MTU 9000,
# steer.bpf.o in native XDP, the same generator (pkt_gen: AF_PACKET with
# PACKET_QDISC_BYPASS, sendmmsg batches of 64, in the sending namespace of
# the same guest) feeding, one after the other,
#   (a) a plain AF_XDP copy-mode socket, host UMEM only     (rx_bench -m xsk)
#   (b) the dmabuf UMEM socket, copy mode, split at L4 end   (rx_bench -m dmabuf)
#   (c) a UDP socket read with recvmmsg()                    (rx_bench -m udp)
# for UDP payloads of 64, 1500 and 8192 bytes; then the ratios against (a).
# Not a test: it fails only if a receiver cannot be set up or gets nothing.
. "$XSK_TOP/selftests/lib/net.sh"
set -u
N=${BENCH_COUNT:-20000}
SIZES=${BENCH_SIZES:-64,1500,8192}
PORT_XSK=4791 PORT_UDP=4792	# no rule for 4792: steer passes it to the stack
PIN=/sys/fs/bpf/xsk-devmem-bench
XSK=$XSK_BUILD/user/xsk-devmem
RXB=$XSK_BUILD/selftests/bench/rx_bench
res=/tmp/bench-rx.res
: >"$res"

net_pair 9000 || exit 1
rm -rf "$PIN"
in_rx "$XSK" steer -p "$PIN" load $IF_RX -m native >/dev/null &&
in_rx "$XSK" steer -p "$PIN" rule add dst $ADDR_RX/32 proto udp dport $PORT_XSK \
	action redirect queue split l4 >/dev/null || { echo "bench: cannot load steer"; exit 1; }
dmac=$(in_rx ip -br link show dev $IF_RX | awk '{ print $3 }')
echo "bench: $N packets per run, generator pkt_gen (AF_PACKET, PACKET_QDISC_BYPASS, sendmmsg x64)"
echo "bench: guest $(uname -r), $(nproc) vCPU(s), QEMU TCG with -icount: seconds are instructions/1e9"

for size in ${SIZES//[,_]/ }; do
	for mode in xsk dmabuf udp; do
		port=$PORT_XSK; [ $mode = udp ] && port=$PORT_UDP
		log=/tmp/bench-rx.$mode.$size.log
		in_rx "$RXB" -m $mode -i $IF_RX -p $port -n "$N" --xskmap "$PIN/steer_xsks" \
			>"$log" 2>&1 &
		rx=$!
		wait_line "$log" 'rx_bench: ready' 60 || { cat "$log"; exit 1; }
		in_tx "$TOOLS/pkt_gen" -i $IF_TX -s $ADDR_TX -d $ADDR_RX -m "$dmac" -p $port \
			-l "$size" -n "$N" >"$log.gen" 2>&1 || { cat "$log.gen"; exit 1; }
		wait $rx || { echo "bench: $mode $size: receiver failed"; cat "$log"; exit 1; }
		line=$(grep 'rx_bench: mode' "$log")
		grep -hv 'rx_bench: \(mode\|ready\)' "$log" "$log.gen" | sed "s/^/  [$mode $size] /"
		echo "$size $mode $(awk '{ for (i = 2; i < NF; i += 2) printf "%s ", $(i + 1) }' <<<"$line")" >>"$res"
	done
done
in_rx "$XSK" steer -p "$PIN" unload $IF_RX >/dev/null 2>&1
rm -rf "$PIN"

# res: SIZE MODE mode packets seconds pps payload_Bps copied_per_pkt dmabuf_per_pkt
echo
printf '%-7s %-7s %9s %10s %12s %10s %10s %8s\n' payload receiver delivered pkt/s \
	"payload MB/s" copied/pkt in-dmabuf "vs (a)"
awk -v n="$N" '
	{ size = $1; mode = $2; pps[size, mode] = $6; rows[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			split(rows[i], f, " ")
			base = pps[f[1], "xsk"]
			printf "%-7s %-7s %4d/%-5d %10.0f %12.2f %10.1f %10.1f %7.2fx\n",
				f[1], f[2], f[4], n, f[6], f[7] / 1e6, f[8], f[9],
				(base > 0 ? f[6] / base : 0)
		}
	}' "$res"
echo
echo "(a) xsk: plain AF_XDP copy mode, host UMEM; (b) dmabuf: dmabuf UMEM copy mode,"
echo "split at the end of the UDP header; (c) udp: recvmmsg. copied/pkt: bytes the CPU"
echo "copied into receive buffers per packet (host + dmabuf); target (b) >= 0.9x (a)."
