/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cmd.h - the subcommand families of the xsk-devmem tool. Each family
 * parses its own arguments (argv[0] is the family name) and returns the
 * process exit status.
 */
#ifndef XSK_CMD_H
#define XSK_CMD_H

int cmd_steer(int argc, char **argv);
int cmd_rx(int argc, char **argv);
int cmd_info(int argc, char **argv);

#endif /* XSK_CMD_H */
