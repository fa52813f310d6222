#!/bin/sh
# Print the lines of a guest console log that show the kernel in trouble.
# Exit 0 if the log is clean, 1 if it is not, 2 if it cannot be read.
# Used by vm-run.sh on every run and tested on sample logs
# (selftests/host/console_check.sh).
#
#   console-check.sh CONSOLE_LOG
[ -r "$1" ] || { echo "console-check: cannot read '$1'" >&2; exit 2; }
grep -a -n -E \
  -e 'WARNING: .*(at|CPU: [0-9]+ PID)' \
  -e '------------\[ cut here \]------------' \
  -e 'BUG: ' \
  -e 'Oops' \
  -e 'general protection fault' \
  -e 'Kernel panic' \
  -e 'KASAN: ' \
  -e 'UBSAN: ' \
  -e 'possible circular locking dependency' \
  -e 'possible recursive locking' \
  -e 'inconsistent lock state' \
  -e 'suspicious RCU usage' \
  -e 'WARNING: .*lock' \
  -e 'INFO: task .* blocked for more than' \
  -e 'rcu: INFO: .* detected stalls' \
  -e 'watchdog: BUG: soft lockup' \
  -e 'unreferenced object 0x' \
  -e 'kmemleak: .*new suspected memory leaks' \
  -e 'Call Trace:' \
  "$1"
case $? in
0) exit 1 ;;
1) exit 0 ;;
*) exit 2 ;;
esac
