#!/bin/sh
# The kernel issue's UAPI cases through the libxsk-devmem API
# (selftests/vm/lib_uapi.c): exact -errno, a message, nothing left behind.
exec "$XSK_TOP/build/selftests/vm/lib_uapi" "$@"
