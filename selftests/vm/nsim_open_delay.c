// SPDX-License-Identifier: GPL-2.0
/*
 * nsim_open_delay: load selftests/bpf/open_delay.bpf.c, which makes every
 * ndo_open of the netdevsim port IFNAME spin for MS milliseconds, and
 * count what happens meanwhile (vm/nsim_open_race.sh).
 *
 *   nsim_open_delay -i IFNAME [-s MS]
 *
 * Prints "nsim_open_delay: attached" once the programs are attached, then
 * waits for SIGINT or SIGTERM and prints one line: "opens N spun_ms X
 * xmits_in_open Y" (frames the peer handed the port while it was in
 * ndo_open). Exit 0, or 1 if the programs could not be loaded.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "open_delay.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL;
	unsigned long ms = 200;
	struct open_delay_bpf *skel;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, old;
	int c, err;

	while ((c = getopt(argc, argv, "i:s:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 's': ms = strtoul(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (!ifname || !ifname[0] || strlen(ifname) >= sizeof(skel->rodata->dev_name) ||
	    !ms || ms > 2000)
		goto usage;

	skel = open_delay_bpf__open();
	if (!skel) {
		fprintf(stderr, "nsim_open_delay: open: %s\n", strerror(errno));
		return 1;
	}
	strcpy((char *)skel->rodata->dev_name, ifname);
	skel->rodata->spin_ns = ms * 1000000ull;
	err = open_delay_bpf__load(skel) ?: open_delay_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "nsim_open_delay: load and attach: %s\n", strerror(-err));
		open_delay_bpf__destroy(skel);
		return 1;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("nsim_open_delay: attached\n");
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	printf("opens %llu spun_ms %llu xmits_in_open %llu\n",
	       (unsigned long long)skel->bss->opens,
	       (unsigned long long)skel->bss->spun_ns / 1000000,
	       (unsigned long long)skel->bss->xmits_in_open);
	open_delay_bpf__destroy(skel);
	return 0;
usage:
	fprintf(stderr, "usage: nsim_open_delay -i IFNAME [-s MS (1..2000)]\n");
	return 2;
}
