// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool_rings: the ethtool netlink family's rings-get and rings-set, for
 * the ring parameters Debian 12's ethtool (6.1) cannot set, above all
 * tcp-data-split (DESIGN.md §7). Test tooling: the ethtool wrapper of
 * selftests/lib/ethtool-nl runs it.
 *
 *   ethtool_rings get IF
 *   ethtool_rings set IF PARAM VALUE [PARAM VALUE]...
 *
 * get prints one "PARAM VALUE" line for every ring attribute the device
 * reports (rx-max, rx, ..., tcp-data-split n/a|off|on, tx-push on|off).
 * set sends one rings-set request carrying all the pairs. PARAM is rx,
 * rx-mini, rx-jumbo, tx, rx-buf-len, cqe-size or tx-push-buf-len with a
 * number, tcp-data-split with on, off or auto, tx-push or rx-push with on
 * or off.
 *
 * One request and its answer on a generic netlink socket: the same thing
 * the tree's ynl CLI does, without starting Python (10-16 s a call under
 * TCG). Exit status: 0 done, 1 the kernel refused (errno and its extack
 * message on stderr), 2 bad usage (nothing sent).
 */
#include <errno.h>
#include <limits.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_LEN 8192

enum kind { K_U32, K_BOOL, K_TDS };

struct param {
	const char *name;
	int attr;
	enum kind kind;
	bool settable;
};

/* In the order of enum ethtool_rings attributes: get prints in this order. */
static const struct param params[] = {
	{ "rx-max",		ETHTOOL_A_RINGS_RX_MAX,			K_U32, false },
	{ "rx-mini-max",	ETHTOOL_A_RINGS_RX_MINI_MAX,		K_U32, false },
	{ "rx-jumbo-max",	ETHTOOL_A_RINGS_RX_JUMBO_MAX,		K_U32, false },
	{ "tx-max",		ETHTOOL_A_RINGS_TX_MAX,			K_U32, false },
	{ "rx",			ETHTOOL_A_RINGS_RX,			K_U32, true },
	{ "rx-mini",		ETHTOOL_A_RINGS_RX_MINI,		K_U32, true },
	{ "rx-jumbo",		ETHTOOL_A_RINGS_RX_JUMBO,		K_U32, true },
	{ "tx",			ETHTOOL_A_RINGS_TX,			K_U32, true },
	{ "rx-buf-len",		ETHTOOL_A_RINGS_RX_BUF_LEN,		K_U32, true },
	{ "tcp-data-split",	ETHTOOL_A_RINGS_TCP_DATA_SPLIT,		K_TDS, true },
	{ "cqe-size",		ETHTOOL_A_RINGS_CQE_SIZE,		K_U32, true },
	{ "tx-push",		ETHTOOL_A_RINGS_TX_PUSH,		K_BOOL, true },
	{ "rx-push",		ETHTOOL_A_RINGS_RX_PUSH,		K_BOOL, true },
	{ "tx-push-buf-len",	ETHTOOL_A_RINGS_TX_PUSH_BUF_LEN,	K_U32, true },
	{ "tx-push-buf-len-max", ETHTOOL_A_RINGS_TX_PUSH_BUF_LEN_MAX,	K_U32, false },
};

#define N_PARAMS (sizeof(params) / sizeof(params[0]))

struct msg {
	union {
		struct nlmsghdr nlh;
		char buf[BUF_LEN];
	};
};

static void usage(const char *why)
{
	if (why)
		fprintf(stderr, "ethtool_rings: %s\n", why);
	fprintf(stderr,
		"usage: ethtool_rings get IF\n"
		"       ethtool_rings set IF PARAM VALUE [PARAM VALUE]...\n"
		"PARAM: rx rx-mini rx-jumbo tx rx-buf-len cqe-size tx-push-buf-len (a number),\n"
		"       tcp-data-split (on|off|auto), tx-push rx-push (on|off)\n");
	exit(2);
}

/* Append attribute @type with @len bytes of @data; the start of it. */
static struct nlattr *put(struct msg *m, int type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static void nest_end(struct msg *m, struct nlattr *nest)
{
	nest->nla_len = m->buf + m->nlh.nlmsg_len - (char *)nest;
}

static void genl_start(struct msg *m, int family, int cmd, int version)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = cmd;
	g->version = version;
}

/* The attributes of a generic netlink message, indexed by type up to @max. */
static void parse(const struct nlmsghdr *nlh, size_t hdr, const struct nlattr **tb, int max)
{
	const char *p = (const char *)NLMSG_DATA(nlh) + hdr;
	const char *end = (const char *)nlh + nlh->nlmsg_len;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const struct nlattr *)p;
		int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			break;
		if (type <= max)
			tb[type] = a;
		p += NLA_ALIGN(a->nla_len);
	}
}

static const void *payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static size_t payload_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* The kernel's answer to a NLMSG_ERROR: 0 or -errno, its extack on stderr. */
static int ack_error(const struct nlmsghdr *nlh, const char *what)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *msg = NULL;
	size_t hdr = sizeof(*e);

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return -EPROTO;
	if (!e->error)
		return 0;
	/* NETLINK_CAP_ACK: the request is not echoed past its header. */
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		parse(nlh, hdr, tb, NLMSGERR_ATTR_MAX);
		if (tb[NLMSGERR_ATTR_MSG] && payload_len(tb[NLMSGERR_ATTR_MSG]) &&
		    memchr(payload(tb[NLMSGERR_ATTR_MSG]), 0, payload_len(tb[NLMSGERR_ATTR_MSG])))
			msg = payload(tb[NLMSGERR_ATTR_MSG]);
	}
	fprintf(stderr, "ethtool_rings: %s: %s%s%s\n", what, strerror(-e->error),
		msg ? ": " : "", msg ? msg : "");
	return e->error;
}

/*
 * Send @req and read its answers up to the ACK; every other message of the
 * same sequence number goes to @reply (NULL: none expected). 0 or -errno.
 */
static int transact(int fd, struct msg *req, const char *what,
		    void (*reply)(const struct nlmsghdr *, void *), void *arg)
{
	static unsigned int seq;
	static struct msg in;
	ssize_t n;

	req->nlh.nlmsg_seq = ++seq;
	if (send(fd, req->buf, req->nlh.nlmsg_len, 0) < 0) {
		fprintf(stderr, "ethtool_rings: %s: send: %s\n", what, strerror(errno));
		return -errno;
	}
	for (;;) {
		struct nlmsghdr *nlh;

		n = recv(fd, in.buf, sizeof(in.buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "ethtool_rings: %s: recv: %s\n", what, strerror(errno));
			return -errno;
		}
		for (nlh = &in.nlh; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ack_error(nlh, what);
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (reply)
				reply(nlh, arg);
		}
		if (n) {
			fprintf(stderr, "ethtool_rings: %s: truncated answer\n", what);
			return -EPROTO;
		}
	}
}

static void family_reply(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];

	parse(nlh, GENL_HDRLEN, tb, CTRL_ATTR_MAX);
	if (tb[CTRL_ATTR_FAMILY_ID] && payload_len(tb[CTRL_ATTR_FAMILY_ID]) >= sizeof(uint16_t))
		memcpy(arg, payload(tb[CTRL_ATTR_FAMILY_ID]), sizeof(uint16_t));
}

/* The ethtool family's id, or -errno. */
static int ethtool_family(int fd)
{
	static struct msg m;
	uint16_t id = 0;
	int err;

	genl_start(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	put(&m, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME, sizeof(ETHTOOL_GENL_NAME));
	err = transact(fd, &m, "resolving the ethtool family", family_reply, &id);
	if (err)
		return err;
	if (!id) {
		fprintf(stderr, "ethtool_rings: the kernel named no id for the ethtool family\n");
		return -EPROTO;
	}
	return id;
}

static const char *tds_name(unsigned int v)
{
	switch (v) {
	case ETHTOOL_TCP_DATA_SPLIT_UNKNOWN: return "n/a";
	case ETHTOOL_TCP_DATA_SPLIT_DISABLED: return "off";
	case ETHTOOL_TCP_DATA_SPLIT_ENABLED: return "on";
	default: return NULL;
	}
}

static void rings_reply(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[ETHTOOL_A_RINGS_MAX + 1];
	size_t i;

	if (nlh->nlmsg_type != *(int *)arg)
		return;
	parse(nlh, GENL_HDRLEN, tb, ETHTOOL_A_RINGS_MAX);
	for (i = 0; i < N_PARAMS; i++) {
		const struct param *p = &params[i];
		const struct nlattr *a = tb[p->attr];
		const char *s;
		uint32_t u32;
		uint8_t u8;

		if (!a)
			continue;
		if (p->kind == K_U32) {
			if (payload_len(a) < sizeof(u32))
				continue;
			memcpy(&u32, payload(a), sizeof(u32));
			printf("%s %u\n", p->name, u32);
			continue;
		}
		if (payload_len(a) < sizeof(u8))
			continue;
		memcpy(&u8, payload(a), sizeof(u8));
		s = p->kind == K_BOOL ? (u8 ? "on" : "off") : tds_name(u8);
		if (s)
			printf("%s %s\n", p->name, s);
		else
			printf("%s unknown(%u)\n", p->name, u8);
	}
}

static const struct param *find_param(const char *name)
{
	size_t i;

	for (i = 0; i < N_PARAMS; i++)
		if (params[i].settable && !strcmp(params[i].name, name))
			return &params[i];
	return NULL;
}

/*
 * Append PARAM VALUE to @m; false (with the reason on stderr) if invalid or
 * already in @m (@seen: a bit per attribute).
 */
static bool put_param(struct msg *m, const char *name, const char *val, uint32_t *seen)
{
	const struct param *p = find_param(name);
	unsigned long ul;
	uint32_t u32;
	uint8_t u8 = 0;
	char *end;

	if (!p) {
		fprintf(stderr, "ethtool_rings: unknown parameter '%s'\n", name);
		return false;
	}
	if (*seen & 1u << p->attr) {
		fprintf(stderr, "ethtool_rings: %s given twice\n", name);
		return false;
	}
	*seen |= 1u << p->attr;
	switch (p->kind) {
	case K_U32:
		errno = 0;
		ul = strtoul(val, &end, 10);
		if (val[0] < '0' || val[0] > '9' || *end || errno || ul > UINT32_MAX) {
			fprintf(stderr, "ethtool_rings: %s takes a number up to %u, not '%s'\n",
				name, UINT32_MAX, val);
			return false;
		}
		u32 = ul;
		put(m, p->attr, &u32, sizeof(u32));
		return true;
	case K_BOOL:
		if (strcmp(val, "on") && strcmp(val, "off")) {
			fprintf(stderr, "ethtool_rings: %s takes on or off, not '%s'\n", name, val);
			return false;
		}
		u8 = !strcmp(val, "on");
		break;
	case K_TDS:
		if (!strcmp(val, "on"))
			u8 = ETHTOOL_TCP_DATA_SPLIT_ENABLED;
		else if (!strcmp(val, "off"))
			u8 = ETHTOOL_TCP_DATA_SPLIT_DISABLED;
		else if (!strcmp(val, "auto"))
			u8 = ETHTOOL_TCP_DATA_SPLIT_UNKNOWN;
		else {
			fprintf(stderr, "ethtool_rings: %s takes on, off or auto, not '%s'\n",
				name, val);
			return false;
		}
		break;
	}
	put(m, p->attr, &u8, sizeof(u8));
	return true;
}

int main(int argc, char **argv)
{
	static struct msg m;
	const char *op, *dev;
	struct nlattr *hdr;
	int fd, one = 1, family, err, i;
	uint32_t seen = 0;
	bool set;

	if (argc < 3)
		usage(NULL);
	op = argv[1];
	dev = argv[2];
	set = !strcmp(op, "set");
	if (!set && strcmp(op, "get"))
		usage("the operation is get or set");
	if (!dev[0] || strlen(dev) >= IFNAMSIZ)
		usage("an interface name is 1 to 15 characters");
	if (set ? argc < 5 || argc % 2 == 0 : argc != 3)
		usage(set ? "set takes PARAM VALUE pairs" : "get takes only the interface");

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		fprintf(stderr, "ethtool_rings: netlink socket: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	family = ethtool_family(fd);
	if (family < 0)
		return 1;

	genl_start(&m, family, set ? ETHTOOL_MSG_RINGS_SET : ETHTOOL_MSG_RINGS_GET,
		   ETHTOOL_GENL_VERSION);
	hdr = put(&m, ETHTOOL_A_RINGS_HEADER | NLA_F_NESTED, NULL, 0);
	put(&m, ETHTOOL_A_HEADER_DEV_NAME, dev, strlen(dev) + 1);
	nest_end(&m, hdr);
	if (set) {
		for (i = 3; i + 1 < argc; i += 2)
			if (!put_param(&m, argv[i], argv[i + 1], &seen))
				usage(NULL);
		err = transact(fd, &m, dev, NULL, NULL);
	} else {
		int reply = family;

		err = transact(fd, &m, dev, rings_reply, &reply);
	}
	close(fd);
	return err ? 1 : 0;
}
