#!/bin/bash
# PID 1 of the test guest (booted by scripts/vm-run.sh). The root file
# system is the host's, read-only over 9p; this mounts the rest, runs the
# tests named on the kernel command line (xsk_tests=a,b,...) and writes
# "PASS|FAIL|SKIP name" lines to results/ (a second, writable 9p share)
# and to the console, then powers the guest off.
#
# A test is an executable under selftests/, or a program built from
# selftests/ into build/selftests/; exit 0 passes, 4 skips
# (kselftest's KSFT_SKIP), anything else fails. Its output goes to
# results/<name with / as _>.log. A name may end in @LINK (vm/demo.sh@nsim):
# the test then runs with XSK_LINK=LINK, over that link
# (selftests/lib/link.sh); without it, over XSK_LINK from the kernel
# command line (vm-run.sh -e), else veth.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LC_ALL=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
# The checkout may live under a directory that gets a tmpfs below (a CI
# clone in /tmp, say): hold on to it through a bind mount and put it back.
mkdir -p /dev/shm/xsk-top
mount --bind "$xsk_top" /dev/shm/xsk-top
for d in /tmp /run /var/tmp /root; do mount -t tmpfs tmp "$d"; done
if [ ! -d "$xsk_top/selftests" ]; then
	mkdir -p "$xsk_top" && mount --move /dev/shm/xsk-top "$xsk_top"
fi
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
R=/tmp/results
mkdir -p $R
mount -t 9p -o trans=virtio,version=9p2000.L results $R
hostname xsk-vm
ip link set lo up

export XSK_TOP=$xsk_top XSK_BUILD=$xsk_top/build XSK_DEBUG=$xsk_debug XSK_RESULTS=$R
mem_avail() { awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo; }
echo "xsk-vm: kernel $(uname -r), $(nproc) cpu(s), $(mem_avail) MiB available, tests: $xsk_tests"

for t in ${xsk_tests//,/ }; do
	log=$R/$(echo "$t" | tr / _).log
	echo "xsk-vm: RUN $t"
	start=$(date +%s)
	link=${XSK_LINK:-veth}	# vm-run.sh -e XSK_LINK=nsim: every test
	[ "$t" != "${t%@*}" ] && link=${t##*@}
	exe=$XSK_TOP/selftests/${t%@*}
	[ -x "$exe" ] || exe=$XSK_BUILD/selftests/${t%@*}
	# A test's time limit (a hang, not a slow test: vm/dmabuf_zc.sh with all
	# its cases takes ~300 s alone under TCG); the debug kernel (KASAN,
	# lockdep) runs ~3x slower, ~6x on a busy host.
	XSK_LINK=$link timeout -k 5 "${XSK_TEST_TIMEOUT:-$([ "$XSK_DEBUG" = 1 ] && echo 3600 || echo 600)}" "$exe" \
		</dev/null >"$log" 2>&1
	rc=$?
	case $rc in
	0) r=PASS ;;
	4) r=SKIP ;;
	*) r=FAIL ;;
	esac
	echo "$r $t" >> $R/results
	# What a test leaves behind shows in the next one's memory: say how
	# much is available after each, and what it left on the bpffs.
	left=$(find /sys/fs/bpf -mindepth 1)
	echo "xsk-vm: $r $t (exit $rc, $(($(date +%s) - start))s; $(mem_avail) MiB available, $(printf '%s' "$left" | grep -c '^') on bpffs)"
	[ -n "$left" ] && echo "$left" | head -n 6 | sed 's/^/xsk-vm:   | /'
	[ $r = FAIL ] && tail -n 15 "$log" | sed 's/^/xsk-vm:   | /'
done

if [ -w /sys/kernel/debug/kmemleak ]; then
	# kmemleak reports objects unreferenced for more than 5 s.
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if [ -z "$leaks" ]; then echo "xsk-vm: kmemleak: no leaks"; else echo "$leaks"; fi
fi

sync
echo "xsk-vm: done"
# Power off, then wait for it with shell builtins only: PID 1 must not
# exit (that panics), and while the kernel shuts the 9p root down an
# exec of /bin/sleep can fail (exit 126), which would end this script.
fifo=/dev/shm/xsk-init-wait
mkfifo "$fifo"
echo o > /proc/sysrq-trigger
while :; do read -r -t 60 <>"$fifo"; done
