#!/bin/sh
# libxsk-devmem on this host's kernel, which lacks the xsk-devmem patch
# set: documented -errno and messages (selftests/host/lib_nopatch.c).
exec "${XSK_BUILD:-build}/selftests/host/lib_nopatch" "$@"
