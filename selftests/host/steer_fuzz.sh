#!/bin/sh
# test.sh runs executables under selftests/: this one runs the compiled
# test (selftests/host/steer_fuzz.c, built with ASan/UBSan by make).
exec "${XSK_BUILD:-build}/selftests/host/steer_fuzz" "$@"
