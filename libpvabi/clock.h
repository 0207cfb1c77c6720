/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Not installed: the monotonic clock in nanoseconds, for the tools, tests and
 * benchmarks built in this tree.  libpvabi itself never reads a clock; its
 * callers pass the time in.
 */
#ifndef PVABI_CLOCK_H
#define PVABI_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
