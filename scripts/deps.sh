#!/bin/sh
# Install what xsk-devmem needs on Debian 12 (bookworm). Idempotent: does
# nothing (no apt-get at all) when every package is already installed.
set -eu

PKGS="build-essential bc bison flex libelf-dev libssl-dev zlib1g-dev dwarves
cpio ccache rsync git xz-utils kmod perl pkg-config python3 python3-ply python3-git sparse
clang libclang-rt-14-dev llvm libbpf-dev libxdp-dev xdp-tools bpftool libcap-dev
iproute2 iputils-ping ethtool util-linux
python3-yaml python3-jsonschema libmnl-dev socat
qemu-system-x86 valgrind
linux-source-6.12"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done

[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install packages (run as root or via sudo)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
