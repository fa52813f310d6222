#!/bin/sh
# Passes itself but makes the kernel WARN (test-only debugfs knob of
# CONFIG_XDP_SOCKETS_DMABUF_SELFTEST): the VM runner must fail the run on
# the console report alone. Not in selftests/vm/TESTS.
echo 1 > /sys/kernel/debug/xsk_dmabuf/inject_warn || exit 1
echo "warning injected"
