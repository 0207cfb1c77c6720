/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inside libpvabi: fill a caller's @why buffer and return @err. */
#ifndef PVABI_WHY_H
#define PVABI_WHY_H

#include <stddef.h>

int pvabi_why(int err, char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
