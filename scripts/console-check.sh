#!/bin/sh
# Print the lines of a guest console log that show the kernel in trouble.
# Exit 0 if the log is clean, 1 if it is not, 2 if it cannot be read.
# Used by vm-run.sh on every run and tested on sample logs
# (selftests/host/console_check.sh).
#
# Between the lines "xsk-fault: begin" and "xsk-fault: end", which a
# fault-injection test writes to /dev/kmsg around its run
# (selftests/vm/dmabuf_fault.sh), the stack of an injected failure
# ("FAULT_INJECTION: forcing a failure") and of the allocation-failure
# report it causes are expected: a "Call Trace:" within 40 lines after one
# is not flagged there. Everything else is, inside the window as outside.
#
#   console-check.sh CONSOLE_LOG
[ -r "$1" ] || { echo "console-check: cannot read '$1'" >&2; exit 2; }
awk '
/xsk-fault: begin/ { win = 1 }
/xsk-fault: end/ { win = 0; allow = 0 }
win && /FAULT_INJECTION: forcing a failure|page allocation failure: |vmalloc error: / { allow = NR }
/WARNING: .*(at|CPU: [0-9]+ PID)/ ||
/------------\[ cut here \]------------/ ||
/BUG: / ||
/Oops/ ||
/general protection fault/ ||
/Kernel panic/ ||
/KASAN: / ||
/UBSAN: / ||
/possible circular locking dependency/ ||
/possible recursive locking/ ||
/inconsistent lock state/ ||
/suspicious RCU usage/ ||
/WARNING: .*lock/ ||
/INFO: task .* blocked for more than/ ||
/rcu: INFO: .* detected stalls/ ||
/watchdog: BUG: soft lockup/ ||
/unreferenced object 0x/ ||
/kmemleak: .*new suspected memory leaks/ { print NR ":" $0; bad = 1; next }
/Call Trace:/ {
	if (allow && NR - allow <= 40) {
		allow = 0
		next
	}
	print NR ":" $0
	bad = 1
}
END { exit bad ? 1 : 0 }
' "$1"
