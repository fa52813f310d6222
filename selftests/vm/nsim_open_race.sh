#!/bin/bash
# Regression test: frames reaching a netdevsim port while it opens. With
# header split built in (patch 0008), the peer's transmit used to check only
# netif_running(), which __dev_open() makes true before it calls ndo_open.
# A freshly created port's NAPIs are still zero then: napi_schedule() on
# one ran a NULL poll in the sender's softirq ("BUG: kernel NULL pointer
# dereference ... RIP: 0010:0x0" under __napi_poll; found by dmabuf_fuzz on
# the debug kernel, seed 325679286299, at a device re-create).
#
# Here the window is made wide: nsim_open_delay (selftests/bpf/
# open_delay.bpf.c) spins in every ndo_open of $IF_RX for OPEN_RACE_MS
# (default 200) while the peer sends UDP without pause. The receiving
# device is deleted and re-created OPEN_RACE_ROUNDS times (default 4).
# Checks: every open ran with the delay, frames reached the port during
# it (the race ran), the guest lives (the harness reads the console), and
# datagrams are received after the last round.
# Exit: 0 all passed, 1 a check failed, 4 skipped (no netdevsim with HDS).
# shellcheck source=selftests/lib/nsim.sh
. "$XSK_TOP/selftests/lib/nsim.sh"
# shellcheck source=selftests/lib/checks.sh
. "$XSK_TOP/selftests/lib/checks.sh"
set -u
ROUNDS=${OPEN_RACE_ROUNDS:-4}
MS=${OPEN_RACE_MS:-200}
PORT=4000 FLOOD_PORT=4001
T=/tmp/nsim_open_race.$$
DELAY=$XSK_BUILD/selftests/vm/nsim_open_delay

for t in "$TOOLS/udp_send" "$TOOLS/udp_recv" "$DELAY"; do
	[ -x "$t" ] || { echo "FAIL: no $t (run 'make')"; exit 1; }
done
nsim_pair 4
rc=$?
[ $rc = 0 ] || { [ $rc = 4 ] || echo "FAIL: set-up of the netdevsim pair"; exit $rc; }
SEND_PID='' DELAY_PID=''
cleanup() {
	[ -n "$SEND_PID" ] && kill_tree "$SEND_PID"
	[ -n "$DELAY_PID" ] && kill_tree "$DELAY_PID"
	rm -f $T.*
	nsim_cleanup
}
trap cleanup EXIT

"$DELAY" -i $IF_RX -s "$MS" > $T.delay 2>&1 &
DELAY_PID=$!
wait_line $T.delay 'nsim_open_delay: attached' 30 ||
	{ echo "FAIL: nsim_open_delay: $(cat $T.delay)"; exit 1; }

# The sender never pauses (a datagram every ~50 us, to a port of its own,
# whatever the receiver's state) until $T.stop exists.
in_tx bash -c "while [ ! -e $T.stop ]; do '$TOOLS/udp_send' -d $ADDR_RX -p $FLOOD_PORT \
	-n 2000 -l 64 -b 1 -g 50 >/dev/null 2>&1 || sleep 0.01; done" &
SEND_PID=$!
sleep 1

for ((r = 1; r <= ROUNDS; r++)); do
	nsim_del $NSIM_ID_RX
	if nsim_readd_rx 4 > $T.readd 2>&1; then
		ok "round $r: $IF_RX deleted and re-created under traffic, up"
	else
		fail "round $r: re-creating $IF_RX: $(tail -n 3 $T.readd)"
		break
	fi
done
touch $T.stop
wait "$SEND_PID"
SEND_PID=
kill -TERM "$DELAY_PID"
wait "$DELAY_PID"
DELAY_PID=
read -r _ opens _ spun _ xmits <<<"$(grep '^opens ' $T.delay)"
check "opens of $IF_RX that spun ${MS} ms" "${opens:-none}" "$ROUNDS"
if [ "${xmits:-0}" -gt 0 ]; then
	ok "frames the peer sent to $IF_RX while it was in ndo_open: $xmits (in ${spun} ms)"
else
	fail "no frame reached $IF_RX while it was in ndo_open (${spun:-?} ms): the race did not run"
fi

# The port works after all this.
in_rx "$TOOLS/udp_recv" -a $ADDR_RX -p $PORT -n 100 -t 30 > $T.recv 2>&1 &
rpid=$!
sleep 1
in_tx "$TOOLS/udp_send" -d $ADDR_RX -p $PORT -n 100 -l 64,1400 >/dev/null
if wait $rpid; then
	ok "after the rounds: $(tail -n1 $T.recv)"
else
	fail "after the rounds: $(tail -n1 $T.recv)"
fi
checks_done nsim_open_race
