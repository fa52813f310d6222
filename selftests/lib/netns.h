/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network namespaces for the C tests: run a piece of code inside a named
 * namespace (ip netns add NAME, /var/run/netns/NAME) and come back, and
 * bind an AF_XDP socket by interface index, so that a test can bind a
 * socket made in one namespace to an index that only means something in
 * another one.
 */
#ifndef XSK_SELFTEST_NETNS_H
#define XSK_SELFTEST_NETNS_H

#include <stdint.h>

/* Enter namespace NAME; returns a handle of the namespace this thread was
 * in (for netns_leave) or -errno. */
int netns_enter(const char *name);
/* Go back to the namespace netns_enter() returned, and close its handle. */
int netns_leave(int saved);
/* if_nametoindex() inside namespace NAME: the index, 0 if none, -errno. */
int netns_ifindex(const char *name, const char *ifname);
/* bind() of AF_XDP by index, copy mode unless @flags say otherwise:
 * 0 or -errno. */
int xsk_bind_index(int fd, int ifindex, uint32_t queue, uint16_t flags);

#endif
