#!/bin/bash
# libxsk-devmem as users get it: `make install PREFIX=...` into the build
# tree, then examples/rx_minimal.c built with the flags pkg-config gives,
# shared and static; it must run and name what is wrong here (this host
# has no /dev/udmabuf or no patch set). The exported symbols must be
# exactly the API's. vm/lib_traffic.sh runs the shared build on real
# traffic in the guest.
set -eu
TOP=${XSK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${XSK_BUILD:-$TOP/build}
P=$B/pkgtest
rm -rf "$P"
make -s -C "$TOP" install PREFIX="$P/usr" >/dev/null
export PKG_CONFIG_PATH=$P/usr/lib/pkgconfig
echo "pkg-config: $(pkg-config --modversion libxsk-devmem): $(pkg-config --cflags --libs libxsk-devmem)"
cc -Wall -Werror $(pkg-config --cflags libxsk-devmem) "$TOP/examples/rx_minimal.c" \
	-o "$P/rx_minimal" $(pkg-config --libs libxsk-devmem)
cc -Wall -Werror -static-libgcc $(pkg-config --cflags libxsk-devmem) \
	"$TOP/examples/rx_minimal.c" -o "$P/rx_minimal.static" \
	"$P/usr/lib/libxsk-devmem.a" $(pkg-config --static --libs-only-l libxsk-devmem | \
	sed 's/-lxsk-devmem//') -lelf -lz
readelf -d "$P/rx_minimal" | grep -q 'libxsk-devmem.so.0' || { echo "not linked to the .so"; exit 1; }
for bin in rx_minimal rx_minimal.static; do
	out=$(LD_LIBRARY_PATH=$P/usr/lib "$P/$bin" xskd-none0 2>&1) && { echo "$bin: succeeded?"; exit 1; }
	echo "$bin: $out"
	echo "$out" | grep -q 'libxsk-devmem: ' || { echo "$bin: no library message"; exit 1; }
done
exported=$(nm -D --defined-only "$P/usr/lib/libxsk-devmem.so" | awk '{ print $3 }' | sed 's/@.*//' | sort)
api=$(grep -o 'xsk_devmem_[a-z_]*\(__[a-z_]*\)\? *(' "$TOP/include/xsk_devmem.h" | tr -d ' (' | sort -u)
extra=$(comm -23 <(echo "$exported" | grep -v '^XSK_DEVMEM') <(echo "$api"))
missing=$(comm -13 <(echo "$exported") <(echo "$api" | grep -v _fn_t))
[ -z "$extra$missing" ] || { echo "exported but not API: $extra; API not exported: $missing"; exit 1; }
echo "exported: $(echo "$exported" | grep -vc '^XSK_DEVMEM') functions, all of include/xsk_devmem.h"
