# Counted checks, for tests that end with "NAME: P of N checks passed".
# Source it:
#   . "$XSK_TOP/selftests/lib/checks.sh"
#
#   ok WHAT / fail WHAT     count one check and print "ok   WHAT" or
#                           "FAIL WHAT" (with CHECKS_FAIL_LOG set, a failure's
#                           text is appended to that file too)
#   check WHAT GOT WANT     ok when GOT = WANT, else fail showing both
#   checks_done NAME        print the count; return 0 if no check failed
# $checks and $fails hold the counts.

fails=0 checks=0

ok() { checks=$((checks + 1)); echo "ok   $*"; }
fail() {
	checks=$((checks + 1)); fails=$((fails + 1))
	echo "FAIL $*"
	[ -z "${CHECKS_FAIL_LOG:-}" ] || echo "$*" >> "$CHECKS_FAIL_LOG"
}
check() {
	if [ "$2" = "$3" ]; then ok "$1: $2"; else fail "$1: got '$2', want '$3'"; fi
}
checks_done() {
	echo "$1: $((checks - fails)) of $checks checks passed"
	[ $fails = 0 ]
}
