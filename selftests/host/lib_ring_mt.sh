#!/bin/sh
# libxsk-devmem's rings with producer and consumer in two threads
# (selftests/host/lib_ring_mt.c): millions of entries under ASan/UBSan,
# then again under TSan, which checks the rings' memory ordering.
set -e
B=${XSK_BUILD:-build}/selftests/host
"$B/lib_ring_mt" -n 8000000 -p 2000000
echo "# under TSan"
TSAN_OPTIONS=halt_on_error=1:exitcode=66 "$B/lib_ring_mt.tsan" -n 2000000 -p 500000
