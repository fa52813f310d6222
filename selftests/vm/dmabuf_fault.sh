#!/bin/bash
# Fault injection on the register, bind (copy and zero copy: the provider
# install and its queue restart), queue-restart and unbind paths of the
# dmabuf UMEM, on the reference driver (TESTS: vm/dmabuf_fault.sh@nsim-split).
# dmabuf_fault fails every fallible call of each path once, one run at a
# time, with fail_function on the slab and page allocation hooks and on the
# kernel's error-injectable functions (see dmabuf_fault.c); each run must
# end clean. Then the queue must still receive: a datagram stream in copy
# mode and one in zero copy, every byte checked, and no dmabuf area left.
# The console between the "xsk-fault:" lines may show the stacks of the
# injected failures (scripts/console-check.sh), nothing else.
#
# DMABUF_FAULT_PATHS picks the paths (separated by +; default: all),
# DMABUF_FAULT_MAX caps the runs per path (default 2000), DMABUF_FAULT_RANDOM
# sets the runs with failslab and fail_page_alloc at random (default 200).
. "$XSK_TOP/selftests/lib/link.sh"
set -u
[ "$XSK_LINK" = nsim-split ] || { echo "dmabuf_fault: runs over nsim-split (TESTS)"; exit 4; }
CLI=$XSK_BUILD/user/xsk-devmem
RX=$TOOLS/dmabuf_rx
PORT=4791
PATHS=${DMABUF_FAULT_PATHS:-reg+bind-copy+bind-zc+restart-zc+close-copy+close-zc}
fails=0
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

steer_off() {
	in_rx xdp-loader unload --all $IF_RX
	rm -rf /sys/fs/bpf/xsk-devmem
}

# receive WHAT DMABUF_RX_OPTS...: a stream to queue 0, every byte checked.
receive() {
	local what=$1 log=/tmp/dmabuf_fault.rx.log n=300 rx; shift
	in_rx "$RX" -i $IF_RX -p $PORT -n $n --area-mb 8 -t 120 "$@" >$log 2>&1 &
	rx=$!
	wait_line $log 'dmabuf_rx: ready' 30 &&
		in_tx "$TOOLS/udp_send" -d "$ADDR_RX" -p $PORT -n $n -l 64,1472,4000,8972 -b 16 -g 500 >>$log 2>&1
	if wait $rx; then
		echo "ok   after the faults, $what: $(grep -o '[0-9]*/[0-9]* .*intact' $log | head -n 1)"
	else
		bad "after the faults, $what"; sed 's/^/     /' $log
	fi
}

[ -d /sys/kernel/debug/fail_function ] ||
	{ echo "dmabuf_fault: no fail_function (CONFIG_FAIL_FUNCTION)"; exit 4; }
link_pair 9000 || exit 1
# The window closes however the run ends.
trap '[ -z "${in_window:-}" ] || echo "xsk-fault: end dmabuf_fault" >/dev/kmsg
	steer_off 2>/dev/null; link_cleanup' EXIT

echo "xsk-fault: begin dmabuf_fault" >/dev/kmsg
in_window=1
t0=$SECONDS
in_rx "$XSK_BUILD/selftests/vm/dmabuf_fault" -i $IF_RX -q 0 -m "${DMABUF_FAULT_MAX:-2000}" \
	-R "${DMABUF_FAULT_RANDOM:-200}" -r "$(nsim_hds_dir rx)/queue_restart" ${PATHS//+/ } || bad "fault runs"
echo "xsk-fault: end dmabuf_fault" >/dev/kmsg
in_window=
echo "fault runs: $((SECONDS - t0)) s"

in_rx "$CLI" steer load -m native $IF_RX >/dev/null &&
in_rx "$CLI" steer rule add dst "$ADDR_RX/32" proto udp dport $PORT action redirect split l4 >/dev/null ||
	bad "loading steer"
receive "copy mode"
receive "zero copy" --zc
steer_off
areas_gone || bad "dmabuf areas left"
[ $fails = 0 ] || { echo "FAIL dmabuf_fault ($fails)"; exit 1; }
echo "PASS dmabuf_fault"
