/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inside libpvabi: text-form helpers text.c shares with the other parsers. */
#ifndef PVABI_TEXT_H
#define PVABI_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "pvabi/pvabi.h"

/* pvabi_u64_parse()'s number form, the whole of the @n bytes at @s (no NUL
 * needed), without range or message.
 */
bool pvabi_u64_parse_n(const char *s, size_t n, pvabi_u64 *out);

#endif
