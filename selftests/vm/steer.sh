#!/bin/bash
# The steering program on the patched 6.12 kernel: the packet-case table
# (steer_meta.bpf.o and steer.bpf.o) and a shorter differential fuzz
# through BPF_PROG_TEST_RUN (the split kfunc is resolved here when the
# kernel has it); steer_meta.bpf.o alone on a veth (loaded by `xsk-devmem
# steer load`, which attaches it directly when libxdp 1.3.1's dispatcher
# refuses a program that changes packet data), with a tail-called policy;
# then steer.bpf.o in libxdp dispatcher mode next to xdp-filter, loaded by
# xdp-loader, in skb and native mode: `xdp-loader status` shows both with
# their priorities, unloading steer leaves xdp-filter working. Chained
# policy slots behind the dispatcher: vm/steer_policy_dispatcher.sh.
set -u
export XSK_BUILD=$XSK_TOP/build
E2E=$XSK_TOP/selftests/host/steer_e2e.sh
"$XSK_BUILD/selftests/host/steer_table" || exit 1
"$XSK_BUILD/selftests/host/steer_fuzz" -n 20000 || exit 1
echo "# steer_meta.bpf.o, alone"
STEER_E2E_LOADER=cli "$E2E" -m skb || exit 1
for mode in skb native; do
	echo "# steer.bpf.o behind the dispatcher with xdp-filter, $mode mode"
	STEER_E2E_FILTER=1 STEER_E2E_OBJ=steer "$E2E" -m $mode || exit 1
done
