#!/bin/bash
# Teardown of a dmabuf UMEM socket in any order, under traffic. For each
# case: steer.bpf.o steers a UDP flow with split l4 into dmabuf_rx, a
# sender keeps sending, and then something goes away:
#
#   kill      the receiver is killed (SIGKILL): socket, UMEM and area go
#   fd+kill   the dmabuf fd was closed right after registration, then kill
#   delete    the device is deleted (veth: the pair; netdevsim: the
#             receiving device): the chunks the kernel held come back
#             on the dmabuf completion ring, every lent chunk is accounted
#             for (dmabuf_rx --until-gone)
#   down      link down and up again under traffic, then delete
#   unload    the XDP program is unloaded under traffic, then delete
#   cached    the kernel holds chunks (no host chunks to pair them with, so
#             packets are dropped after their payload chunks were taken),
#             then the device is deleted: they come back on the completion
#             ring
#   cached, 32-entry dmabuf rings
#             the same with the smallest dmabuf rings bind accepts
#   cached, slow unbind
#             the same with the pool pausing 300 ms before it returns its
#             chunks (debugfs unbind_delay_ms): ENETDOWN must not reach
#             user space before they are back
#   ns        the receiver's namespace is deleted under traffic, then the
#             receiver killed: the device goes with the namespace (veth)
#             or back to the initial one, unregistered from this one
#             (netdevsim)
#
# Over veth, or netdevsim's native XDP with XSK_LINK=nsim (TESTS: @nsim).
# With XSK_LINK=nsim-split (@nsim-split) the socket is bound in zero copy:
# the chunks are lent to the queue's page pools through the memory
# provider, and every teardown must also take the provider off the queue
# and get every chunk back from the pools (the 32-entry case does not
# apply: zero copy needs a completion ring entry per chunk).
#
# After each case no dmabuf area may be left (debugfs xsk_dmabuf/areas);
# the area also warns if it is freed with a chunk not back with user
# space, and the run fails on any warning, KASAN or lockdep report.
. "$XSK_TOP/selftests/lib/link.sh"
set -u
CLI=$XSK_BUILD/user/xsk-devmem
UNBIND_DELAY=/sys/kernel/debug/xsk_dmabuf/unbind_delay_ms
fails=0
TX="" RX="" MODE=()
[ "$XSK_LINK" = nsim-split ] && MODE=(--zc --area-mb 8)
rm -rf /sys/fs/bpf/xsk-devmem	# no steering state from an earlier test


# start RX_OPTS...: namespaces, steer, receiver and a sender that runs on
start() {
	link_pair 9000 || return 1
	in_rx "$CLI" steer load -m native $IF_RX >/dev/null 2>&1 &&
	in_rx "$CLI" steer rule add dst "$ADDR_RX/32" proto udp dport 4791 \
		action redirect split l4 >/dev/null || return 1
	LOG=/tmp/teardown.$$.log
	in_rx "$TOOLS/dmabuf_rx" -i $IF_RX -p 4791 -n 10000000 -t 120 "${MODE[@]}" "$@" >"$LOG" 2>&1 &
	RX=$!
	wait_line "$LOG" 'dmabuf_rx: ready' 30 || return 1
	in_tx "$TOOLS/udp_send" -d $ADDR_RX -p 4791 -n 10000000 -l 22,1472,8972 \
		-b 8 -g 2000 >/dev/null 2>&1 &
	TX=$!
	# let traffic flow
	sleep 2
}

stop_tx() { [ -n "$TX" ] && kill_tree $TX; TX=""; }

verdict() { # verdict NAME OK
	local name=$1 ok=$2
	stop_tx
	link_cleanup
	rm -rf /sys/fs/bpf/xsk-devmem
	areas_gone || ok=0
	if [ "$ok" = 1 ]; then
		echo "ok   $name: area freed; $(grep -m1 -E 'device gone' "$LOG")"
		grep -m1 'seen:' "$LOG" | sed 's/^/     /'
	else
		echo "FAIL $name"; sed 's/^/     /' "$LOG"; fails=$((fails + 1))
	fi
}

case_kill() {
	start "$@" || { verdict "kill $*" 0; return; }
	kill_tree $RX
	verdict "kill $*" 1
}

# case_delete NAME RX_OPTS ACTION...: run ACTION under traffic, then delete
# the device
case_delete() {
	local name=$1 opts=$2; shift 2
	# shellcheck disable=SC2086
	start --until-gone $opts || { verdict "$name" 0; return; }
	"$@"
	sleep 1
	link_del
	if wait $RX; then verdict "$name" 1; else verdict "$name" 0; fi
}

link_down_up() {
	in_rx ip link set $IF_RX down; sleep 1
	in_rx ip link set $IF_RX up; sleep 1
}
unload_prog() { in_rx "$CLI" steer unload $IF_RX >/dev/null; }
slow_unbind() { echo 300 >$UNBIND_DELAY; }

case_ns() {
	start || { verdict "ns" 0; return; }
	ip netns del $NS_RX
	sleep 1
	kill_tree $RX
	verdict "ns" 1
}

case_kill
case_kill --close-dmabuf
case_delete delete "" true
case_delete cached --no-host-frames true
# The smallest dmabuf rings bind accepts: the completion ring must still
# report every chunk the kernel held (smaller ones are refused at bind:
# dmabuf_reg).
if [ ${#MODE[@]} = 0 ]; then
	case_delete "cached, 32-entry dmabuf rings" "--no-host-frames --dmabuf-ring 32" true
fi
case_delete "cached, slow unbind" --no-host-frames slow_unbind
echo 0 >$UNBIND_DELAY
case_delete down "" link_down_up
case_delete unload "" unload_prog
case_ns
[ $fails = 0 ]
