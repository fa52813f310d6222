/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers of the C unit tests: CHECK(cond, fmt, ...) counts and
 * reports a failed condition and goes on; CHECK_RET also returns from the
 * function (for checks inside loops). check_report() prints the totals and
 * gives the exit status. open_fds() counts this process's open files, to
 * prove that a failed call left nothing behind.
 */
#ifndef XSK_SELFTEST_CHECK_H
#define XSK_SELFTEST_CHECK_H

#include <dirent.h>
#include <stdio.h>

static int check_failures, check_count;

#define CHECK_OR(action, cond, ...) do {				\
	check_count++;							\
	if (!(cond)) {							\
		check_failures++;					\
		fprintf(stderr, "FAIL %s:%d: %s: ", __func__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		action;							\
	}								\
} while (0)
#define CHECK(cond, ...)	CHECK_OR((void)0, cond, __VA_ARGS__)
#define CHECK_RET(cond, ...)	CHECK_OR(return, cond, __VA_ARGS__)

static inline int check_report(const char *who)
{
	printf("%s: %d checks, %d failed\n", who, check_count, check_failures);
	return check_failures ? 1 : 0;
}

static inline int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

#endif
