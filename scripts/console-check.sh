#!/bin/sh
# Print the lines of a guest console log that show the kernel in trouble;
# print nothing when the log is clean. Used by vm-run.sh on every run and
# unit-tested on sample logs (selftests/host/console_check.sh).
#
#   console-check.sh CONSOLE_LOG
exec grep -a -n -E \
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
