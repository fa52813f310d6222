// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_limits: privilege, isolation and resource limits of the dmabuf
 * UMEM (issue 13, item 3), one part per command; dmabuf_limits.sh sets up
 * the namespaces, devices and traffic each needs.
 *
 *   caps IFINDEX      no AF_XDP socket without CAP_NET_RAW (EPERM), with
 *                     CAP_NET_RAW alone the whole set-up works; an
 *                     unprivileged user in a user namespace of its own gets
 *                     nothing in the initial network namespace, and in a
 *                     network namespace of its own a socket that registers
 *                     only dmabufs it holds and cannot bind to IFINDEX, a
 *                     device of the initial namespace.
 *   fds               a dmabuf the caller does not hold cannot be
 *                     registered: fd numbers not open, fds that are no
 *                     dmabuf, a dmabuf closed before the call, another
 *                     process's dmabuf by number, a dmabuf reopened through
 *                     /proc; one passed by SCM_RIGHTS works. No failure
 *                     leaves anything behind (fds, dmabuf references,
 *                     areas), the socket registers a valid dmabuf after
 *                     them. A dmabuf the caller may only read (a read-only
 *                     fd of the system heap) must not become a payload area.
 *   cross IFACE OTHER CASE COUNT
 *                     two sockets, two dmabuf areas; socket A (IFACE queue
 *                     0, slot 0 of $XSK_STEER_PIN_DIR/steer_xsks) receives
 *                     COUNT datagrams (udp_send, split l4, payload 3000 B)
 *                     while its dmabuf fill ring carries socket B's chunk
 *                     offsets (B on OTHER): entries outside A's area are
 *                     rejected and counted exactly, B's bytes never change,
 *                     and in A's area only the chunks delivered were
 *                     written. CASE: same-offsets (two dmabufs, both areas
 *                     at offset 0: B's offsets name A's own chunks), other-
 *                     offsets (two dmabufs, B's area at 1 MiB), one-dmabuf
 *                     (one dmabuf, A over its first MiB, B over the second),
 *                     read-only (A over a read-only dmabuf: must be refused).
 *   netns NS_A NS_B   a socket binds by index in its own network namespace
 *                     only: the index of a device of NS_B (xlim1, 4242) is
 *                     ENODEV for a socket of NS_A, also while the caller
 *                     sits in NS_B; an index both namespaces use (4343:
 *                     xlimt in NS_B, xlimr in NS_A) names the socket's own
 *                     namespace's device.
 *   memcg SIZE_MB     the kernel memory of a dmabuf area (the chunk array,
 *                     nr_chunks x sizeof(struct xsk_dmabuf_chunk), from the
 *                     kernel's BTF) is charged to the caller's memory cgroup
 *                     (a udmabuf of SIZE_MB made outside it), once per
 *                     registration, and given back; with memory.max below
 *                     what a registration needs it fails with ENOMEM, the
 *                     caller lives, nothing stays charged, and a smaller
 *                     registration works.
 *   memcg-zc IFACE SIZE_MB
 *                     the same for a zero-copy bind to IFACE (netdevsim with
 *                     header split): the DMA address per chunk that bind
 *                     maps is charged to the caller's cgroup, and a bind
 *                     over memory.max fails with ENOMEM, leaves nothing
 *                     charged, and the socket binds once there is room.
 *
 * Every check prints "ok" or "FAIL"; the exit status is the number of
 * failed checks (capped), 0 if none.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/dma-heap.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "check.h"
#include "netns.h"
#include "rxcheck.h"
#include "udmabuf.h"
#include "util.h"
#include "xsk_raw.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define CHUNK		4096u
#define MB		(1ul << 20)
#define NOBODY		65534
#define AREAS		"/sys/kernel/debug/xsk_dmabuf/areas"
#define BUFINFO		"/sys/kernel/debug/dma_buf/bufinfo"
#define CG_ROOT		"/sys/fs/cgroup"
#define UDMABUF_LIMIT	"/sys/module/udmabuf/parameters/size_limit_mb"

static int fails;

static void __attribute__((format(printf, 2, 3))) check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (!ok)
		fails++;
	fputs(ok ? "ok   " : "FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
	va_list ap;

	fputs("     ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *errname(int err)
{
	const char *n = err ? strerrorname_np(-err) : "0";

	return n ? n : "?";
}

/* A result (0 or -errno) against the one wanted. */
static void expect(const char *what, int got, int want)
{
	if (got == want)
		check(1, "%-62s %s", what, errname(got));
	else
		check(0, "%-62s %s, want %s", what, errname(got), errname(want));
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("dmabuf_limits: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(100);
}

/*
 * Run @fn in a child process: its checks print there, its failures count
 * here (its exit status); a child that dies of a signal is a failure.
 * Returns the signal that killed it, or 0.
 */
static int in_child(const char *what, void (*fn)(void *), void *arg)
{
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		fails = 0;
		fn(arg);
		fflush(stdout);
		_exit(fails > 99 ? 99 : fails);
	}
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid: %s", strerror(errno));
	if (WIFEXITED(st)) {
		fails += WEXITSTATUS(st);
		return 0;
	}
	check(0, "%s: the process died of signal %d (%s)", what, WTERMSIG(st),
	      strsignal(WTERMSIG(st)));
	return WTERMSIG(st);
}

/* --- sockets ------------------------------------------------------------ */

/* An AF_XDP socket with a host UMEM of @nframes frames: 0 or -errno. */
static int umem_socket(struct xsk_raw *x, uint32_t nframes)
{
	int err = xsk_raw_socket(x);

	if (!err)
		err = xsk_raw_umem_reg(x, nframes, CHUNK);
	return err;
}

/* A socket ready to bind: UMEM, a dmabuf area over all of @fd, rings. */
static int dmabuf_socket(struct xsk_raw *x, int fd, size_t len)
{
	int err = umem_socket(x, 16);

	if (!err)
		err = xsk_raw_dmabuf_reg(x, fd, 0, len, CHUNK);
	if (!err)
		err = xsk_raw_rings(x, 64, 64, true);
	return err;
}

/* Bind to queue 0 of @ifindex in copy mode; a buffer pool of an earlier
 * socket there goes in a work item after its socket: retry while busy.
 */
static int bind_copy(struct xsk_raw *x, int ifindex)
{
	int err = -EBUSY;

	for (int i = 0; i < 100 && err == -EBUSY; i++) {
		err = xsk_bind_index(x->fd, ifindex, 0, XDP_COPY | XDP_USE_SG);
		if (err == -EBUSY)
			usleep(20 * 1000);
	}
	return err;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Areas alive (debugfs xsk_dmabuf/areas), -1 without the file. */
static int live_areas(void)
{
	FILE *f = fopen(AREAS, "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/* The references to the file of dmabuf @fd (debugfs dma_buf/bufinfo). */
static long dmabuf_refs(int fd)
{
	unsigned long size, ino;
	unsigned int flags, mode;
	char line[512], exp[64];
	struct stat st;
	long count, ret = -1;
	FILE *f;

	if (fstat(fd, &st) || !(f = fopen(BUFINFO, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lu %x %x %ld %63s %lu", &size, &flags, &mode, &count,
			   exp, &ino) == 6 && ino == st.st_ino)
			ret = count;
	fclose(f);
	return ret;
}

/* A dmabuf of the system heap, its fd opened with @fd_flags; -errno. */
static int heap_dmabuf(size_t len, unsigned int fd_flags)
{
	struct dma_heap_allocation_data d = { .len = len, .fd_flags = fd_flags };
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC), err;

	if (heap < 0)
		return -errno;
	err = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d) ? -errno : (int)d.fd;
	close(heap);
	return err;
}

/* --- caps --------------------------------------------------------------- */

static int caps_set(uint64_t caps)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	for (int i = 0; i < 2; i++)
		d[i].effective = d[i].permitted = (uint32_t)(caps >> (32 * i));
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static uint64_t caps_get(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d))
		die("capget: %s", strerror(errno));
	return d[0].effective | (uint64_t)d[1].effective << 32;
}

static int socket_err(void)
{
	int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

struct caps_arg {
	struct udmabuf *u;
	int init_ifindex;
};

static void no_net_raw(void *arg)
{
	if (prctl(PR_CAPBSET_DROP, CAP_NET_RAW) || caps_set(caps_get() & ~(1ull << CAP_NET_RAW)))
		die("dropping CAP_NET_RAW: %s", strerror(errno));
	note("uid %d, every capability but CAP_NET_RAW", getuid());
	expect("root without CAP_NET_RAW: socket(AF_XDP)", socket_err(), -EPERM);
}

static void only_net_raw(void *arg)
{
	struct caps_arg *a = arg;
	struct xsk_raw x;

	if (caps_set(1ull << CAP_NET_RAW))
		die("capset: %s", strerror(errno));
	note("uid %d, CAP_NET_RAW only (capabilities 0x%llx)", getuid(),
	     (unsigned long long)caps_get());
	expect("CAP_NET_RAW alone: socket, UMEM, dmabuf area, rings",
	       dmabuf_socket(&x, a->u->fd, a->u->size), 0);
	expect("CAP_NET_RAW alone: bind to lo", bind_copy(&x, if_nametoindex("lo")), 0);
	xsk_raw_close(&x);
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		die("becoming uid %d: %s", NOBODY, strerror(errno));
}

static void nobody(void *arg)
{
	become_nobody();
	note("uid %d, capabilities 0x%llx", getuid(), (unsigned long long)caps_get());
	expect("unprivileged user: socket(AF_XDP)", socket_err(), -EPERM);
}

static void nobody_userns(void *arg)
{
	become_nobody();
	if (unshare(CLONE_NEWUSER)) {
		note("unprivileged user: no user namespace (%s): nothing to check", errname(-errno));
		return;
	}
	note("uid %d in a user namespace of its own, capabilities 0x%llx there",
	     getuid(), (unsigned long long)caps_get());
	expect("unprivileged user, own user namespace: socket(AF_XDP) in the initial netns",
	       socket_err(), -EPERM);
}

static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr))
		err = -errno;
	close(fd);
	return err;
}

static void nobody_userns_netns(void *arg)
{
	struct caps_arg *a = arg;
	char name[IF_NAMESIZE];
	struct xsk_raw x;
	int err, dev;

	become_nobody();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		note("unprivileged user: no user + network namespace (%s): nothing to check",
		     errname(-errno));
		return;
	}
	note("uid %d in its own user and network namespace, capabilities 0x%llx there",
	     getuid(), (unsigned long long)caps_get());
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	note("it can%s open /dev/udmabuf (%s): it has the dmabufs it was given",
	     dev < 0 ? "not" : "", dev < 0 ? errname(-errno) : "0");
	if (dev >= 0)
		close(dev);
	/* ns_capable(net->user_ns, CAP_NET_RAW): its own netns is its userns'. */
	err = socket_err();
	note("socket(AF_XDP) in its own network namespace: %s", errname(err));
	expect("unprivileged user, own user + netns: socket(AF_XDP)", err, 0);
	if (err)
		return;
	expect("  UMEM (RLIMIT_MEMLOCK)", umem_socket(&x, 16), 0);
	expect("  dmabuf area: fd number it does not hold", xsk_raw_dmabuf_reg(&x, 900, 0, MB, CHUNK),
	       fd_open(900) ? -EINVAL : -EBADF);
	expect("  dmabuf area: a memfd it holds", xsk_raw_dmabuf_reg(&x, a->u->memfd, 0, MB, CHUNK),
	       -EINVAL);
	expect("  dmabuf area: the dmabuf it was given",
	       xsk_raw_dmabuf_reg(&x, a->u->fd, 0, a->u->size, CHUNK), 0);
	expect("  rings", xsk_raw_rings(&x, 64, 64, true), 0);
	check(!if_indextoname(a->init_ifindex, name),
	      "  index %d names no device in its namespace", a->init_ifindex);
	expect("  bind to the index of a device of the initial netns",
	       xsk_bind_index(x.fd, a->init_ifindex, 0, XDP_USE_SG), -ENODEV);
	expect("  lo of its own namespace up (CAP_NET_ADMIN there)", lo_up(), 0);
	expect("  bind to its own lo", bind_copy(&x, if_nametoindex("lo")), 0);
	xsk_raw_close(&x);
}

static int cmd_caps(int init_ifindex)
{
	struct udmabuf u;
	struct caps_arg a = { .u = &u, .init_ifindex = init_ifindex };
	FILE *f = fopen("/proc/sys/kernel/unprivileged_userns_clone", "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	note("kernel.unprivileged_userns_clone = %d (-1: no such sysctl)", v);
	if (udmabuf_create(&u, 4 * MB))
		return 1;
	/* The children get the dmabuf as it is given to a process: an fd. */
	fcntl(u.fd, F_SETFD, 0);
	fcntl(u.memfd, F_SETFD, 0);
	expect("root with every capability: socket(AF_XDP)", socket_err(), 0);
	in_child("root without CAP_NET_RAW", no_net_raw, &a);
	in_child("root with CAP_NET_RAW only", only_net_raw, &a);
	in_child("unprivileged user", nobody, &a);
	in_child("unprivileged user, own user namespace", nobody_userns, &a);
	in_child("unprivileged user, own user + network namespace", nobody_userns_netns, &a);
	udmabuf_destroy(&u);
	return fails;
}

/* --- fds ---------------------------------------------------------------- */

/* Send @fd over @sock (SCM_RIGHTS), or receive one: the fd or -errno. */
static int fd_send(int sock, int fd)
{
	char c = 'f', cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int fd_recv(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -errno;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

#define OTHER_FD	777	/* the other process's dmabuf, by number */
#define MARK		"dmabuf of the other process"

/*
 * The other process: a udmabuf of its own at fd OTHER_FD, marked; says its
 * number, then passes it when asked.
 */
static void other_process(int sock)
{
	struct udmabuf u;
	char cmd;
	int fd = OTHER_FD;

	if (udmabuf_create(&u, MB) || dup2(u.fd, fd) != fd)
		_exit(1);
	memcpy(u.map, MARK, sizeof(MARK));
	if (write(sock, &fd, sizeof(fd)) != sizeof(fd) || read(sock, &cmd, 1) != 1 ||
	    fd_send(sock, fd) || read(sock, &cmd, 1) != 1)
		_exit(1);
	_exit(0);
}

static int cmd_fds(void)
{
	int fds0, areas0, sp[2], other_fd = -1, got, dupfd, memfd, udp, null, path, reopen, ro, st;
	struct xsk_raw x, y;
	struct udmabuf u;
	char proc[64];
	long refs0;
	pid_t pid;
	uint8_t *m;

	if (udmabuf_create(&u, 4 * MB))
		return 1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
		die("socketpair: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (!pid) {
		close(sp[0]);
		other_process(sp[1]);
	}
	close(sp[1]);
	if (read(sp[0], &other_fd, sizeof(other_fd)) != sizeof(other_fd))
		die("the other process did not start");
	note("the other process has its dmabuf at fd %d", other_fd);

	memfd = u.memfd;
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", u.fd);
	path = open(proc, O_PATH | O_CLOEXEC);
	reopen = open(proc, O_RDWR | O_CLOEXEC);
	if (reopen < 0)
		note("reopening the dmabuf through %s: %s", proc, errname(-errno));
	if (umem_socket(&x, 16))
		die("AF_XDP socket: %s", strerror(errno));
	fds0 = open_fds();
	areas0 = live_areas();
	refs0 = dmabuf_refs(u.fd);
	note("before: %d fds open, %d dmabuf areas, the dmabuf has %ld references", fds0, areas0,
	     refs0);

	expect("fd number not open (600)", xsk_raw_dmabuf_reg(&x, 600, 0, MB, CHUNK),
	       fd_open(600) ? -EINVAL : -EBADF);
	expect("fd -1", xsk_raw_dmabuf_reg(&x, -1, 0, MB, CHUNK), -EBADF);
	expect("fd 2^31 - 1", xsk_raw_dmabuf_reg(&x, 0x7fffffff, 0, MB, CHUNK), -EBADF);
	expect("not a dmabuf: the memfd under the udmabuf", xsk_raw_dmabuf_reg(&x, memfd, 0, MB, CHUNK),
	       -EINVAL);
	expect("not a dmabuf: a UDP socket", xsk_raw_dmabuf_reg(&x, udp, 0, MB, CHUNK), -EINVAL);
	expect("not a dmabuf: /dev/null", xsk_raw_dmabuf_reg(&x, null, 0, MB, CHUNK), -EINVAL);
	expect("not a dmabuf: the AF_XDP socket itself", xsk_raw_dmabuf_reg(&x, x.fd, 0, MB, CHUNK),
	       -EINVAL);
	expect("an O_PATH fd of the dmabuf (/proc/self/fd)", xsk_raw_dmabuf_reg(&x, path, 0, MB, CHUNK),
	       -EBADF);
	if (reopen >= 0)
		expect("the dmabuf reopened through /proc/self/fd",
		       xsk_raw_dmabuf_reg(&x, reopen, 0, MB, CHUNK), -EINVAL);
	dupfd = dup(u.fd);
	close(dupfd);
	expect("a dmabuf fd closed before the call", xsk_raw_dmabuf_reg(&x, dupfd, 0, MB, CHUNK),
	       -EBADF);
	check(!fd_open(other_fd), "fd %d is not open here", other_fd);
	expect("the other process's dmabuf by its number",
	       xsk_raw_dmabuf_reg(&x, other_fd, 0, MB, CHUNK), -EBADF);
	if (dup2(memfd, other_fd) == other_fd) {
		expect("  the same number open here on a memfd",
		       xsk_raw_dmabuf_reg(&x, other_fd, 0, MB, CHUNK), -EINVAL);
		close(other_fd);
	}
	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", pid, other_fd);
	got = open(proc, O_RDWR | O_CLOEXEC);
	note("opening %s (root may): %s", proc, got < 0 ? errname(-errno) : "0");
	if (got >= 0) {
		expect("  the other process's dmabuf reopened through /proc",
		       xsk_raw_dmabuf_reg(&x, got, 0, MB, CHUNK), -EINVAL);
		close(got);
	}

	check(open_fds() == fds0, "no fd left behind: %d open, %d before", open_fds(), fds0);
	check(live_areas() == areas0, "no dmabuf area made: %d, %d before", live_areas(), areas0);
	check(dmabuf_refs(u.fd) == refs0, "no dmabuf reference taken: %ld, %ld before",
	      dmabuf_refs(u.fd), refs0);
	expect("then the same socket registers its own dmabuf",
	       xsk_raw_dmabuf_reg(&x, u.fd, 0, u.size, CHUNK), 0);
	check(dmabuf_refs(u.fd) == refs0 + 1, "  the area holds one reference: %ld, %ld before",
	      dmabuf_refs(u.fd), refs0);
	expect("  and binds (lo, copy)", xsk_raw_rings(&x, 64, 64, true) ?:
	       bind_copy(&x, if_nametoindex("lo")), 0);
	xsk_raw_close(&x);

	/* Passed by SCM_RIGHTS, the other process's dmabuf is ours to use. */
	got = -1;
	if (write(sp[0], "s", 1) == 1)
		got = fd_recv(sp[0]);
	check(got >= 0, "the other process's dmabuf passed by SCM_RIGHTS: fd %d", got);
	if (got >= 0) {
		m = mmap(NULL, MB, PROT_READ, MAP_SHARED, got, 0);
		check(m != MAP_FAILED && !memcmp(m, MARK, sizeof(MARK)),
		      "  it is the other process's buffer (its mark is there)");
		if (m != MAP_FAILED)
			munmap(m, MB);
		expect("  registered", umem_socket(&y, 16) ?:
		       xsk_raw_dmabuf_reg(&y, got, 0, MB, CHUNK), 0);
		xsk_raw_close(&y);
		close(got);
	}
	if (write(sp[0], "q", 1) != 1 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		check(0, "the other process failed");

	/* A dmabuf this process may only read. */
	ro = heap_dmabuf(MB, O_RDONLY | O_CLOEXEC);
	if (ro < 0) {
		check(0, "a read-only dmabuf of the system heap: %s", errname(ro));
	} else {
		m = mmap(NULL, MB, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
		check(m == MAP_FAILED && errno == EACCES,
		      "a read-only dmabuf fd (system heap, O_RDONLY): writable mapping refused (%s)",
		      m == MAP_FAILED ? errname(-errno) : "mapped!");
		if (m != MAP_FAILED)
			munmap(m, MB);
		got = umem_socket(&y, 16) ?: xsk_raw_dmabuf_reg(&y, ro, 0, MB, CHUNK);
		note("registering the read-only dmabuf as a payload area: %s", errname(got));
		check(got < 0, "a dmabuf the caller may not write is refused as a payload area: "
		      "registration %s%s", errname(got),
		      got ? "" : " (the kernel would write packets into it: see cross read-only)");
		xsk_raw_close(&y);
		close(ro);
	}
	close(path);
	if (reopen >= 0)
		close(reopen);
	close(udp);
	close(null);
	udmabuf_destroy(&u);
	return fails;
}

/* --- cross ---------------------------------------------------------------- */

#define AREA		MB		/* each socket's area: 256 chunks */
#define NCH		(AREA / CHUNK)
#define FOREIGN		7		/* B's offsets posted on A's ring per packet */

static uint8_t fill_byte(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 12) * 13 + 0x5a);
}

/* A dmabuf of @size bytes for the test: udmabuf, or a read-only fd of
 * the system heap. */
struct buf {
	struct udmabuf u;
	int fd;
	uint8_t *map;
	size_t size;
};

static void buf_make(struct buf *b, size_t size, bool ro)
{
	memset(b, 0, sizeof(*b));
	b->u.fd = b->u.memfd = -1;
	b->size = size;
	if (ro) {
		b->fd = heap_dmabuf(size, O_RDONLY | O_CLOEXEC);
		if (b->fd < 0)
			die("read-only heap dmabuf: %s", errname(b->fd));
		b->map = mmap(NULL, size, PROT_READ, MAP_SHARED, b->fd, 0);
		if (b->map == MAP_FAILED)
			die("mmap of the heap dmabuf: %s", strerror(errno));
		return;
	}
	if (udmabuf_create(&b->u, size))
		die("udmabuf");
	b->fd = b->u.fd;
	b->map = b->u.map;
	for (size_t i = 0; i < size; i++)
		b->map[i] = fill_byte(i);
}

/* Bytes of [from, to) of @b that differ from what was written at first. */
static size_t changed(const struct buf *b, uint64_t from, uint64_t to, const uint8_t *ref)
{
	size_t n = 0;

	for (uint64_t i = from; i < to; i++)
		n += b->map[i] != (ref ? ref[i] : fill_byte(i));
	return n;
}

struct rx_side {
	struct xsk_raw x;
	struct buf *b;
	uint64_t off;		/* of the area in b */
};

static void side_open(struct rx_side *s, struct buf *b, uint64_t off, const char *ifname)
{
	int err;

	s->b = b;
	s->off = off;
	err = umem_socket(&s->x, 256) ?:
	      xsk_raw_dmabuf_reg(&s->x, b->fd, off, AREA, CHUNK) ?:
	      xsk_raw_rings(&s->x, 256, 2048, true) ?:
	      xsk_raw_mmap(&s->x, true, true) ?:
	      bind_copy(&s->x, if_nametoindex(ifname));
	if (err)
		die("socket on %s, area at %llu of dmabuf fd %d: %s", ifname,
		    (unsigned long long)off, b->fd, errname(err));
	for (uint32_t f = 0; f < 256; f++)
		xring_prod_push(&s->x.fq, (uint64_t)f * CHUNK);
}

/*
 * Take packets off A's RX ring until @count arrived or @secs passed; the
 * chunks of payload descriptors are marked in @hit; host frames go back.
 */
static void receive(struct rx_side *a, struct rxcheck *rc, uint32_t count, int secs,
		    uint8_t *hit, uint32_t *bad_desc)
{
	double end = mono_now() + secs;
	struct iovec seg[8];

	while (rc->frames < count && mono_now() < end) {
		uint32_t avail = xring_cons_avail(&a->x.rx), n, k;

		for (n = 0; n < avail; n++)
			if (!(xring_rx_desc(&a->x.rx, n)->options & XDP_PKT_CONTD))
				break;
		if (n == avail) {
			usleep(1000);
			continue;
		}
		for (k = 0; k <= n && k < 8; k++) {
			const struct xdp_desc *d = xring_rx_desc(&a->x.rx, k);

			if (d->options & XDP_DESC_DMABUF) {
				if (d->addr < a->off || d->addr + d->len > a->off + AREA ||
				    d->addr % CHUNK) {
					(*bad_desc)++;
					seg[k] = (struct iovec){ NULL, 0 };
					continue;
				}
				hit[(d->addr - a->off) / CHUNK]++;
				seg[k] = (struct iovec){ a->b->map + d->addr, d->len };
			} else {
				seg[k] = (struct iovec){ a->x.umem + d->addr, d->len };
				xring_prod_push(&a->x.fq, d->addr & ~(uint64_t)(CHUNK - 1));
			}
		}
		rxcheck_frame(rc, seg, k);
		xring_cons_release(&a->x.rx, n + 1);
	}
}

static int cmd_cross(const char *ifname, const char *other, const char *what, uint32_t count)
{
	bool same = !strcmp(what, "same-offsets"), one = !strcmp(what, "one-dmabuf");
	bool ro = !strcmp(what, "read-only");
	uint64_t b_off = same ? 0 : AREA, foreign = 0, read_foreign, cons, ent;
	struct xdp_dmabuf_statistics sa, sb;
	struct xdp_statistics xb;
	const char *pin = getenv("XSK_STEER_PIN_DIR");
	struct buf bufa, bufb, *ba = &bufa, *bb = &bufb;
	uint8_t hit[NCH] = { 0 }, *ref = NULL;
	uint32_t bad_desc = 0, slot = 0, delivered = 0, twice = 0;
	struct rx_side a, b;
	struct rxcheck rc;
	char path[512];
	int map, err;

	if (!same && !one && !ro && strcmp(what, "other-offsets"))
		die("cross: unknown case %s", what);
	if (count > NCH || count * (FOREIGN + 1) > 2048)
		die("cross: at most %u datagrams", 2048 / (FOREIGN + 1));
	/* A's dmabuf, and B's (one-dmabuf: the same, B over its second MiB). */
	buf_make(ba, one ? 2 * AREA : AREA, ro);
	if (one)
		bb = ba;
	else
		buf_make(bb, b_off + AREA, false);
	if (ro) {
		/* What the process could read before: nothing may change. */
		ref = malloc(ba->size);
		memcpy(ref, ba->map, ba->size);
		err = umem_socket(&a.x, 256) ?:
		      xsk_raw_dmabuf_reg(&a.x, ba->fd, 0, AREA, CHUNK);
		xsk_raw_close(&a.x);
		note("read-only dmabuf as A's area: registration %s", errname(err));
		if (err) {
			check(1, "a read-only dmabuf is refused as a payload area (%s)", errname(err));
			printf("dmabuf_limits: ready\n");
			fflush(stdout);
			return fails;
		}
	}
	side_open(&a, ba, 0, ifname);
	side_open(&b, bb, b_off, other);
	note("A: %s, area [0, %lu) of dmabuf fd %d on %s; B: area [%llu, %llu) of %s on %s",
	     what, AREA, ba->fd, ifname, (unsigned long long)b_off,
	     (unsigned long long)(b_off + AREA), one ? "the same dmabuf" : "another dmabuf", other);

	/* B lends its first half to its own kernel. */
	for (uint32_t c = 0; c < NCH / 2; c++)
		xring_prod_push(&b.x.dfq, b_off + (uint64_t)c * CHUNK);
	/* A's ring: per datagram, FOREIGN of B's chunk offsets, then one of
	 * A's own; same-offsets: only B's offsets (they are A's, too). */
	for (uint32_t i = 0; i < count; i++) {
		if (same) {
			xring_prod_push(&a.x.dfq, b_off + (uint64_t)i * CHUNK);
			continue;
		}
		for (uint32_t k = 0; k < FOREIGN; k++)
			xring_prod_push(&a.x.dfq, b_off + (uint64_t)((i * FOREIGN + k) % NCH) * CHUNK);
		foreign += FOREIGN;
		xring_prod_push(&a.x.dfq, (uint64_t)i * CHUNK);
	}
	snprintf(path, sizeof(path), "%s/steer_xsks", pin ? pin : "/sys/fs/bpf/xsk-devmem");
	map = bpf_obj_get(path);
	if (map < 0 || bpf_map_update_elem(map, &slot, &a.x.fd, 0))
		die("XSKMAP %s: %s", path, strerror(errno));
	if (rxcheck_init(&rc, count, 4791))
		die("rxcheck");
	printf("dmabuf_limits: ready\n");
	fflush(stdout);

	receive(&a, &rc, count, 60, hit, &bad_desc);
	receive(&a, &rc, UINT32_MAX, 1, hit, &bad_desc);	/* anything more */
	if (xsk_raw_dmabuf_stats(&a.x, &sa) || xsk_raw_dmabuf_stats(&b.x, &sb) ||
	    xsk_raw_stats(&b.x, &xb))
		die("statistics: %s", strerror(errno));
	cons = __atomic_load_n(a.x.dfq.consumer, __ATOMIC_ACQUIRE);
	ent = same ? 1 : FOREIGN + 1;
	read_foreign = same ? 0 : cons / ent * FOREIGN + (cons % ent < FOREIGN ? cons % ent : FOREIGN);
	for (uint32_t c = 0; c < NCH; c++) {
		delivered += !!hit[c];
		twice += hit[c] > 1;
	}
	rxcheck_report(&rc, "     A", stdout);
	note("A: dmabuf fill ring read %llu entries (%llu of B's), fill_invalid_descs %llu, "
	     "split packets %llu, fill ring empty %llu; %u chunks delivered",
	     (unsigned long long)cons, (unsigned long long)read_foreign,
	     (unsigned long long)sa.fill_invalid_descs, (unsigned long long)sa.split_packets,
	     (unsigned long long)sa.fill_empty_descs, delivered);

	if (ro) {
		size_t n = changed(ba, 0, AREA, ref);

		check(n == 0 && rc.good == 0,
		      "read-only dmabuf: %u datagrams written into it, %zu bytes changed under "
		      "its read-only mapping", (unsigned)rc.good, n);
		return fails;
	}
	check(rc.good == count && !rc.bad && !rc.dup, "A: %llu of %u datagrams intact",
	      (unsigned long long)rc.good, count);
	check(!bad_desc, "A: every payload descriptor inside A's area (%u outside)", bad_desc);
	check(!twice, "A: no chunk delivered twice (%u were)", twice);
	if (same) {
		check(sa.fill_invalid_descs == 0 && cons == count,
		      "A: B's offsets, in A's range, were taken as A's own chunks: %llu rejected, "
		      "%llu read", (unsigned long long)sa.fill_invalid_descs,
		      (unsigned long long)cons);
	} else {
		check(cons == count * ent, "A: the kernel read %llu entries, want %llu",
		      (unsigned long long)cons, (unsigned long long)count * ent);
		check(sa.fill_invalid_descs == read_foreign && read_foreign == foreign,
		      "A: every one of B's offsets rejected and counted: fill_invalid_descs %llu, "
		      "B's offsets read %llu, posted %llu", (unsigned long long)sa.fill_invalid_descs,
		      (unsigned long long)read_foreign, (unsigned long long)foreign);
	}
	check(sa.split_packets == count, "A: %llu split packets", (unsigned long long)sa.split_packets);
	/* The bytes: B's area untouched, A's written only in delivered chunks. */
	check(changed(bb, b_off, b_off + AREA, NULL) == 0,
	      "B's area: %zu bytes changed (in %s)", changed(bb, b_off, b_off + AREA, NULL),
	      one ? "the second MiB of the shared dmabuf" : "B's own dmabuf");
	if (!one)
		check(changed(bb, 0, bb->size, NULL) == 0, "B's dmabuf: %zu bytes changed in all",
		      changed(bb, 0, bb->size, NULL));
	{
		size_t outside = 0;

		for (uint32_t c = 0; c < NCH; c++)
			if (!hit[c])
				outside += changed(ba, (uint64_t)c * CHUNK, (uint64_t)(c + 1) * CHUNK,
						   NULL);
		check(outside == 0, "A's area: %zu bytes changed outside the %u chunks delivered",
		      outside, delivered);
	}
	check(!sb.fill_invalid_descs && !sb.split_packets && !sb.whole_packets && !xb.rx_dropped,
	      "B: untouched statistics (invalid %llu, split %llu, whole %llu, dropped %llu)",
	      (unsigned long long)sb.fill_invalid_descs, (unsigned long long)sb.split_packets,
	      (unsigned long long)sb.whole_packets, (unsigned long long)xb.rx_dropped);
	check(xring_cons_avail(&b.x.rx) == 0 && *b.x.dfq.consumer == 0,
	      "B: nothing received, its fill ring not read (%u descriptors, %u entries read)",
	      xring_cons_avail(&b.x.rx), *b.x.dfq.consumer);
	xsk_raw_close(&a.x);
	xsk_raw_close(&b.x);
	return fails;
}

/* --- netns ---------------------------------------------------------------- */

/* A socket made inside namespace @ns, ready to bind. */
static void ns_socket(struct xsk_raw *x, const char *ns, struct udmabuf *u)
{
	int saved = netns_enter(ns), err;

	if (saved < 0)
		die("netns %s: %s", ns, errname(saved));
	err = dmabuf_socket(x, u->fd, u->size);
	netns_leave(saved);
	if (err)
		die("socket in %s: %s", ns, errname(err));
}

static bool gone_within(struct xsk_raw *x, double secs)
{
	double end = mono_now() + secs;

	do {
		if (xsk_raw_gone(x))
			return true;
		usleep(20 * 1000);
	} while (mono_now() < end);
	return false;
}

static int cmd_netns(const char *ns_a, const char *ns_b)
{
	struct xsk_raw sa, sb, sa2, sb2;
	char name[IF_NAMESIZE], cmd[256];
	int saved, idx_b = netns_ifindex(ns_b, "xlim1");
	struct udmabuf u;

	if (udmabuf_create(&u, MB))
		return 1;
	if (idx_b <= 0)
		die("no xlim1 in %s", ns_b);
	saved = netns_enter(ns_a);
	check(saved >= 0 && !if_indextoname(idx_b, name),
	      "index %d (xlim1 of %s) names no device in %s", idx_b, ns_b, ns_a);
	netns_leave(saved);

	ns_socket(&sa, ns_a, &u);
	expect("socket of NS_A: bind to the index of NS_B's device",
	       xsk_bind_index(sa.fd, idx_b, 0, XDP_USE_SG), -ENODEV);
	saved = netns_enter(ns_b);
	expect("  the same, called from inside NS_B", xsk_bind_index(sa.fd, idx_b, 0, XDP_USE_SG),
	       -ENODEV);
	netns_leave(saved);
	ns_socket(&sb, ns_b, &u);
	expect("socket of NS_B: bind to that index, called from the initial netns",
	       bind_copy(&sb, idx_b), 0);
	xsk_raw_close(&sa);
	xsk_raw_close(&sb);

	/* One index, a device in each namespace. */
	ns_socket(&sa2, ns_a, &u);
	ns_socket(&sb2, ns_b, &u);
	note("index 4343: %s in NS_A, %s in NS_B", netns_ifindex(ns_a, "xlimr") == 4343 ? "xlimr" : "?",
	     netns_ifindex(ns_b, "xlimt") == 4343 ? "xlimt" : "?");
	expect("socket of NS_A: bind to index 4343", bind_copy(&sa2, 4343), 0);
	expect("socket of NS_B: bind to index 4343", bind_copy(&sb2, 4343), 0);
	snprintf(cmd, sizeof(cmd), "ip -n %s link del xlimr", ns_a);
	if (system(cmd))
		die("%s failed", cmd);
	check(gone_within(&sa2, 5), "deleting NS_A's device 4343: NS_A's socket sees ENETDOWN");
	check(!xsk_raw_gone(&sb2), "  NS_B's socket, on NS_B's device 4343, does not");
	xsk_raw_close(&sa2);
	xsk_raw_close(&sb2);
	udmabuf_destroy(&u);
	return fails;
}

/* --- memcg ---------------------------------------------------------------- */

static char cg[256];
static long long need_bytes;
static size_t area_len;
static struct udmabuf big;

static long long cg_read(const char *file, const char *key)
{
	char path[512], k[64];
	long long v, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!key) {
		if (fscanf(f, "%lld", &ret) != 1)
			ret = -1;
	} else {
		while (fscanf(f, "%63s %lld", k, &v) == 2)
			if (!strcmp(k, key))
				ret = v;
	}
	fclose(f);
	return ret;
}

static long long meminfo(const char *key)
{
	char line[256];
	long long v, ret = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':' && sscanf(line + n + 1, "%lld", &v) == 1)
			ret = v * 1024;
	if (f)
		fclose(f);
	return ret;
}

/* Into the test's cgroup: charges from here on go there. */
static void cg_enter(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	if (write_file(path, "0"))
		die("moving into %s: %s", cg, strerror(errno));
}

static int cg_set(const char *file, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return write_file(path, val);
}

#define SLACK	(1 << 20)	/* per-CPU charge caches, the process's own pages */
/*
 * A cgroup's charges are taken in batches of MEMCG_CHARGE_BATCH (64) pages
 * and what a batch does not use waits in a per-CPU stock, already counted in
 * memory.current: an allocation may use up to that much on top of
 * memory.max - memory.current. A zero-copy bind without a limit shows it
 * (the DMA address array plus exactly 64 pages more).
 */
#define CHARGE_STOCK	(64 * 4096ll)

/*
 * memory.max for a cgroup at memory.current @cur that must refuse an
 * allocation of @need bytes: room for half of it, counting the stock.
 */
static long long limit_below(long long cur, long long need)
{
	long long room = need / 2 - CHARGE_STOCK;

	return (cur + (room > 0 ? room : 0) + 4095) & ~4095ll;
}

/* Wait up to @secs for memory.current to be at most @want. */
static long long current_down_to(long long want, double secs)
{
	double end = mono_now() + secs;
	long long cur;

	while ((cur = cg_read("memory.current", NULL)) > want && mono_now() < end)
		usleep(50 * 1000);
	return cur;
}

static void memcg_measure(void *arg)
{
	long long c0, c1, c2, c3, avail0, avail1, nr = area_len / CHUNK;
	struct xsk_raw x[4];

	for (int i = 0; i < 4; i++)
		if (umem_socket(&x[i], 16))
			die("AF_XDP socket: %s", strerror(errno));
	cg_enter();
	usleep(100 * 1000);
	c0 = cg_read("memory.current", NULL);
	avail0 = meminfo("MemAvailable");
	expect("in the cgroup: register the whole udmabuf",
	       xsk_raw_dmabuf_reg(&x[0], big.fd, 0, area_len, CHUNK), 0);
	c1 = cg_read("memory.current", NULL);
	avail1 = meminfo("MemAvailable");
	note("memory.current %lld -> %lld: %lld bytes for %lld chunks, %.1f bytes per chunk; "
	     "MemAvailable fell by %lld bytes system-wide", c0, c1, c1 - c0, nr,
	     (double)(c1 - c0) / nr, avail0 - avail1);
	check(c1 - c0 >= need_bytes, "charged to the caller's cgroup: %lld bytes >= the chunk "
	      "array's %lld", c1 - c0, need_bytes);
	for (int i = 1; i < 4; i++)
		expect("the same dmabuf registered again on another socket",
		       xsk_raw_dmabuf_reg(&x[i], big.fd, 0, area_len, CHUNK), 0);
	c2 = cg_read("memory.current", NULL);
	note("memory.current %lld after 4 registrations: %lld bytes for each of the other 3; "
	     "MemAvailable fell by %lld bytes for each", c2, (c2 - c1) / 3,
	     (avail1 - meminfo("MemAvailable")) / 3);
	check(c2 - c1 >= 3 * need_bytes, "each registration is charged, not once per dmabuf: "
	      "%lld bytes for 3 more, >= %lld", c2 - c1, 3 * need_bytes);
	for (int i = 0; i < 4; i++)
		xsk_raw_close(&x[i]);
	c3 = current_down_to(c0 + SLACK, 10);
	check(c3 <= c0 + SLACK, "all of it given back when the sockets close: memory.current "
	      "%lld, was %lld before", c3, c0);
}

static void memcg_limit(void *arg)
{
	bool unkillable = arg;
	long long c0, c1, c2, lim, oom0, max0, nr = area_len / CHUNK;
	char val[32];
	struct xsk_raw x;
	int err;

	if (unkillable && write_file("/proc/self/oom_score_adj", "-1000"))
		die("oom_score_adj: %s", strerror(errno));
	if (umem_socket(&x, 16))
		die("AF_XDP socket: %s", strerror(errno));
	cg_enter();
	usleep(100 * 1000);
	c0 = cg_read("memory.current", NULL);
	lim = limit_below(c0, need_bytes);
	snprintf(val, sizeof(val), "%lld", lim);
	if (cg_set("memory.max", val))
		die("memory.max: %s", strerror(errno));
	oom0 = cg_read("memory.events", "oom_kill");
	max0 = cg_read("memory.events", "max");
	note("%smemory.current %lld, memory.max %lld: room for about half of the %lld bytes "
	     "%lld chunks need, with the charge stock", unkillable ? "oom_score_adj -1000; " : "",
	     c0, lim, need_bytes, nr);
	fflush(stdout);
	err = xsk_raw_dmabuf_reg(&x, big.fd, 0, area_len, CHUNK);
	expect(unkillable ? "over memory.max, not OOM-killable: registration" :
	       "over memory.max: registration", err, -ENOMEM);
	note("memory.events: max %lld -> %lld, oom_kill %lld -> %lld", max0,
	     cg_read("memory.events", "max"), oom0, cg_read("memory.events", "oom_kill"));
	c1 = current_down_to(c0 + SLACK, 5);
	check(c1 <= c0 + SLACK, "  nothing left charged: memory.current %lld, was %lld", c1, c0);
	expect("  then a quarter of it on the same socket",
	       xsk_raw_dmabuf_reg(&x, big.fd, 0, area_len / 4 / CHUNK * CHUNK, CHUNK), 0);
	c2 = cg_read("memory.current", NULL);
	note("  memory.current %lld with that area", c2);
	xsk_raw_close(&x);
}

static long chunk_struct_size(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	long size = -1;
	int id;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, "xsk_dmabuf_chunk", BTF_KIND_STRUCT);
	if (id > 0)
		size = btf__resolve_size(btf, id);
	btf__free(btf);
	return size;
}

/* The test's cgroup, with the memory controller, and a udmabuf of
 * @size_mb made outside it (its pages are charged where this process is). */
static void memcg_setup(unsigned long size_mb)
{
	long csize = chunk_struct_size();
	char ctl[256] = "";
	int err, limit_mb;
	long long nr;
	FILE *f;

	area_len = size_mb * MB;
	nr = area_len / CHUNK;
	if (csize <= 0) {
		note("no struct xsk_dmabuf_chunk in the kernel's BTF: assuming 64 bytes at least");
		csize = 64;
	}
	need_bytes = nr * csize;
	note("struct xsk_dmabuf_chunk: %ld bytes (BTF); %lld chunks of 4 KiB in %lu MiB: "
	     "%lld bytes of chunk array; the largest area (2^24 chunks) needs %lld MiB",
	     csize, nr, size_mb, need_bytes, ((long long)csize << 24) >> 20);

	f = fopen(CG_ROOT "/cgroup.controllers", "r");
	if (!f || !fgets(ctl, sizeof(ctl), f) || !strstr(ctl, "memory"))
		die("no memory controller in %s (cgroup2 mounted? CONFIG_MEMCG?)", CG_ROOT);
	fclose(f);
	if (write_file(CG_ROOT "/cgroup.subtree_control", "+memory"))
		die("enabling the memory controller: %s", strerror(errno));
	snprintf(cg, sizeof(cg), "%s/xsk-limits.%d", CG_ROOT, getpid());
	if (mkdir(cg, 0755))
		die("mkdir %s: %s", cg, strerror(errno));

	/* udmabuf makes at most size_limit_mb (64) by default. */
	f = fopen(UDMABUF_LIMIT, "r");
	if (!f || fscanf(f, "%d", &limit_mb) != 1)
		limit_mb = -1;
	if (f)
		fclose(f);
	if (limit_mb >= 0 && (unsigned long)limit_mb < size_mb) {
		snprintf(ctl, sizeof(ctl), "%lu", size_mb);
		write_file(UDMABUF_LIMIT, ctl);
	}
	err = udmabuf_create(&big, area_len);
	if (limit_mb >= 0) {
		snprintf(ctl, sizeof(ctl), "%d", limit_mb);
		write_file(UDMABUF_LIMIT, ctl);
	}
	if (err)
		die("a udmabuf of %lu MiB: %s", size_mb, errname(err));
}

static void memcg_teardown(void)
{
	cg_set("memory.max", "max");
	udmabuf_destroy(&big);
	current_down_to(0, 5);
	if (rmdir(cg))
		note("rmdir %s: %s", cg, strerror(errno));
}

/* A child killed by @sig: what the cgroup says, and what is left. */
static void after_kill(int sig)
{
	long long cur;

	if (sig == SIGKILL)
		note("it was OOM-killed: memory.events oom_kill %lld; the allocation charges with "
		     "OOM kills instead of failing (GFP_KERNEL_ACCOUNT without __GFP_RETRY_MAYFAIL)",
		     cg_read("memory.events", "oom_kill"));
	cur = current_down_to(SLACK, 5);
	check(cur <= SLACK, "nothing charged to the cgroup once that process is gone: "
	      "memory.current %lld", cur);
	cg_set("memory.max", "max");
}

static int cmd_memcg(unsigned long size_mb)
{
	int sig;

	memcg_setup(size_mb);
	in_child("registration in a cgroup", memcg_measure, NULL);
	sig = in_child("registration over memory.max", memcg_limit, (void *)false);
	if (sig) {
		after_kill(sig);
		/* What the registration itself returns when there is no one to kill. */
		in_child("registration over memory.max, not OOM-killable", memcg_limit, (void *)true);
	}
	memcg_teardown();
	return fails;
}

/* Zero copy: bind maps the area for the device, a DMA address per chunk. */
static const char *zc_ifname;

static void zc_bind(void *arg)
{
	long long c0, c1, c2, lim, nr = area_len / CHUNK, addrs = nr * 8;
	bool limit = arg, unkillable = (uintptr_t)arg == 2;
	struct xdp_dmabuf_info info = { 0 };
	socklen_t len = sizeof(info);
	struct xsk_raw x;
	char val[32];
	int err;

	if (unkillable && write_file("/proc/self/oom_score_adj", "-1000"))
		die("oom_score_adj: %s", strerror(errno));
	/* The area's own chunk array is charged outside the cgroup. */
	err = umem_socket(&x, 64) ?:
	      xsk_raw_dmabuf_reg(&x, big.fd, 0, area_len, CHUNK) ?:
	      xsk_raw_rings(&x, 64, nr, true);
	if (err)
		die("socket with a %zu-byte area: %s", area_len, errname(err));
	cg_enter();
	usleep(100 * 1000);
	c0 = cg_read("memory.current", NULL);
	if (limit) {
		lim = limit_below(c0, addrs);
		snprintf(val, sizeof(val), "%lld", lim);
		if (cg_set("memory.max", val))
			die("memory.max: %s", strerror(errno));
		note("%smemory.current %lld, memory.max %lld: room for half of the %lld bytes of "
		     "DMA addresses, with the charge stock", unkillable ? "oom_score_adj -1000; " : "", c0, lim, addrs);
		fflush(stdout);
	}
	err = xsk_bind_index(x.fd, if_nametoindex(zc_ifname), 0, XDP_ZEROCOPY | XDP_USE_SG);
	c1 = cg_read("memory.current", NULL);
	getsockopt(x.fd, SOL_XDP, XDP_DMABUF_INFO, &info, &len);
	if (!limit) {
		expect("zero-copy bind in the cgroup", err, 0);
		note("memory.current %lld -> %lld: %lld bytes, %.1f per chunk (the DMA address "
		     "array alone: %lld); refusal %u", c0, c1, c1 - c0, (double)(c1 - c0) / nr,
		     addrs, info.zc_refusal);
		check(c1 - c0 >= addrs, "the device mapping is charged to the caller's cgroup: "
		      "%lld bytes >= %lld", c1 - c0, addrs);
		xsk_raw_close(&x);
		{
			double t0 = mono_now();

			/* The provider goes with the queue's last page pool. */
			c2 = current_down_to(c0 + addrs / 2, 30);
			check(c2 <= c0 + addrs / 2, "given back after close: memory.current %lld "
			      "after %.1f s (%lld with the mapping, %lld before bind); %d areas left",
			      c2, mono_now() - t0, c1, c0, live_areas());
		}
		return;
	}
	expect(unkillable ? "zero-copy bind over memory.max, not OOM-killable" :
	       "zero-copy bind over memory.max", err, -ENOMEM);
	note("XDP_DMABUF_INFO: mode %u refusal %u errno %u", info.mode, info.zc_refusal,
	     info.zc_errno);
	c2 = current_down_to(c0 + SLACK, 5);
	check(c2 <= c0 + SLACK, "  nothing left charged: memory.current %lld, was %lld", c2, c0);
	cg_set("memory.max", "max");
	expect("  then, without the limit, the same socket binds",
	       xsk_bind_index(x.fd, if_nametoindex(zc_ifname), 0, XDP_ZEROCOPY | XDP_USE_SG), 0);
	xsk_raw_close(&x);
}

static int cmd_memcg_zc(const char *ifname, unsigned long size_mb)
{
	int sig;

	zc_ifname = ifname;
	memcg_setup(size_mb);
	in_child("zero-copy bind in a cgroup", zc_bind, (void *)0);
	/* Half of the array must outweigh the stock for a limit to bite. */
	if ((long long)(area_len / CHUNK) * 8 < 2 * CHARGE_STOCK) {
		note("zero-copy bind over memory.max: not tried, %zu MiB's DMA address array "
		     "(%zu bytes) is under twice the cgroup's per-CPU charge stock (%lld)",
		     area_len >> 20, area_len / CHUNK * 8, CHARGE_STOCK);
		memcg_teardown();
		return fails;
	}
	sig = in_child("zero-copy bind over memory.max", zc_bind, (void *)1);
	if (sig) {
		after_kill(sig);
		in_child("zero-copy bind over memory.max, not OOM-killable", zc_bind, (void *)2);
	}
	memcg_teardown();
	return fails;
}

int main(int argc, char **argv)
{
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "caps"))
		r = cmd_caps(atoi(argv[2]));
	else if (argc >= 2 && !strcmp(argv[1], "fds"))
		r = cmd_fds();
	else if (argc >= 6 && !strcmp(argv[1], "cross"))
		r = cmd_cross(argv[2], argv[3], argv[4], strtoul(argv[5], NULL, 0));
	else if (argc >= 4 && !strcmp(argv[1], "netns"))
		r = cmd_netns(argv[2], argv[3]);
	else if (argc >= 3 && !strcmp(argv[1], "memcg-zc"))
		r = cmd_memcg_zc(argv[2], argc > 3 ? strtoul(argv[3], NULL, 0) : 512);
	else if (argc >= 2 && !strcmp(argv[1], "memcg"))
		r = cmd_memcg(argc > 2 ? strtoul(argv[2], NULL, 0) : 512);
	else {
		fprintf(stderr, "usage: dmabuf_limits caps IFINDEX | fds | "
			"cross IFACE OTHER CASE COUNT | netns NS_A NS_B | memcg [SIZE_MB] | "
			"memcg-zc IFACE [SIZE_MB]\n");
		return 2;
	}
	return r > 99 ? 99 : r;
}
