#!/bin/sh
# test.sh runs executables under selftests/: this one runs the compiled
# ring and data-path unit tests of libxsk-devmem (selftests/host/lib_ring.c,
# built with ASan/UBSan by make).
exec "${XSK_BUILD:-build}/selftests/host/lib_ring" "$@"
