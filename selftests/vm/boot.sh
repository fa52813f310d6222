#!/bin/bash
# The guest runs the patched kernel: the new Kconfig symbols are on, the
# dmabuf UMEM code announced itself at boot, the selftest knob is present.
set -e
zcat /proc/config.gz | grep -qx 'CONFIG_XDP_SOCKETS_DMABUF=y' ||
	{ echo "CONFIG_XDP_SOCKETS_DMABUF is not set: not our kernel"; exit 1; }
dmesg | grep -q 'xsk_dmabuf: AF_XDP dmabuf UMEM support enabled' ||
	{ echo "no xsk_dmabuf line in dmesg"; exit 1; }
[ -e /sys/kernel/debug/xsk_dmabuf/inject_warn ] ||
	{ echo "no debugfs knob xsk_dmabuf/inject_warn"; exit 1; }
[ -c /dev/udmabuf ] || { echo "no /dev/udmabuf"; exit 1; }
echo "kernel $(uname -r): patched, dmabuf UMEM compiled in"
