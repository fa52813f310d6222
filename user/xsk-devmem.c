// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xsk-devmem - the command-line tool of xsk-devmem: one subcommand family
 * per job, each in its own file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} families[] = {
	{ "steer", cmd_steer, "XDP steering and header split (steer.bpf.o)" },
	{ "rx", cmd_rx, "receive into a dmabuf UMEM, live statistics, payload check" },
	{ "info", cmd_info, "what the kernel and each interface/queue support" },
};

static int usage(FILE *f, int ret)
{
	fprintf(f, "usage: xsk-devmem COMMAND [ARGS...]   (COMMAND --help for more)\n\n");
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		fprintf(f, "  %-8s %s\n", families[i].name, families[i].help);
	return ret;
}

/* libbpf's warnings only (XSK_DEVMEM_DEBUG=1: everything), on stderr. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int debug = -1;

	if (debug < 0)
		debug = getenv("XSK_DEVMEM_DEBUG") != NULL;
	if (level != LIBBPF_WARN && !debug)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	libbpf_set_print(libbpf_print);
	if (argc < 2)
		return usage(stderr, 2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout, 0);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(argv[1], families[i].name))
			return families[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "xsk-devmem: unknown command '%s'\n", argv[1]);
	return usage(stderr, 2);
}
