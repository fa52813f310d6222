/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers the test tools share. */
#ifndef XSK_SELFTEST_UTIL_H
#define XSK_SELFTEST_UTIL_H

#include <time.h>

/* Seconds on the monotonic clock. */
static inline double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
