#!/bin/bash
# steer.bpf.o on the patched 6.12 kernel: the packet-case table and a
# shorter differential fuzz through BPF_PROG_TEST_RUN (the split kfunc is
# resolved here when the kernel has it), then the end-to-end test in
# libxdp dispatcher mode next to xdp-filter, in skb and native mode:
# `xdp-loader status` shows both with their priorities, a policy slot is
# tail-called from behind the dispatcher, unloading steer leaves
# xdp-filter working.
set -u
export XSK_BUILD=$XSK_TOP/build
"$XSK_BUILD/selftests/host/steer_table" || exit 1
"$XSK_BUILD/selftests/host/steer_fuzz" -n 20000 || exit 1
for mode in skb native; do
	echo "# dispatcher, $mode mode"
	STEER_E2E_FILTER=1 "$XSK_TOP/selftests/host/steer_e2e.sh" -m $mode || exit 1
done
