// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The patch policy's text form (pvabi/patch.h, schemas/patch-policy.txt):
 * one parser for pvctl, pvctld and files.  Hand-written because the format
 * is four "key=value" lines; a configuration library would add a dependency
 * and still not quote the bad line the way pvctl's errors do.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvabi/pvabi.h"
#include "pvabi/patch.h"
#include "export.h"
#include "text.h"

#define MAX_LINE 1024

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static const char *class_names[] = {"msr",   "sprg",	"srr",	  "fault",
				    "booke", "segregs", "tlbsync"};

static int classes_parse_n(const char *s, size_t n, pvabi_u32 *out, char *why,
			   size_t whylen)
{
	const char *end = s + n;
	pvabi_u32 m = 0;

	if ((n == 3 && !memcmp(s, "all", 3))) {
		*out = PVABI_PC_ALL;
		return 0;
	}
	if (n == 4 && !memcmp(s, "none", 4)) {
		*out = 0;
		return 0;
	}
	while (s <= end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		size_t len = (size_t)((comma ? comma : end) - s), i;

		for (i = 0; i < sizeof(class_names) / sizeof(*class_names); i++)
			if (strlen(class_names[i]) == len &&
			    !memcmp(class_names[i], s, len))
				break;
		if (i == sizeof(class_names) / sizeof(*class_names))
			return pvabi_why(
				PVABI_E_INVAL, why, whylen,
				"unknown class '%.*s' (msr, sprg, srr, fault, "
				"booke, segregs, tlbsync, all, none)",
				(int)len, s);
		m |= 1u << i;
		if (!comma)
			break;
		s = comma + 1;
	}
	*out = m;
	return 0;
}

PVABI_EXPORT int pvabi_patch_classes_parse(const char *text, pvabi_u32 *classes,
					   char *why, size_t whylen)
{
	if (!text || !classes)
		return PVABI_E_INVAL;
	return classes_parse_n(text, strlen(text), classes, why, whylen);
}

/* The inverse of pvabi_patch_mode_name(), the one table of mode names. */
static bool mode_parse_n(const char *s, size_t n, enum pvabi_patch_mode *mode)
{
	for (int m = PVABI_PATCH_OFF; m <= PVABI_PATCH_HOST; m++) {
		const char *name =
			pvabi_patch_mode_name((enum pvabi_patch_mode)m);

		if (strlen(name) == n && !memcmp(name, s, n)) {
			*mode = (enum pvabi_patch_mode)m;
			return true;
		}
	}
	return false;
}

PVABI_EXPORT int pvabi_patch_mode_parse(const char *text,
					enum pvabi_patch_mode *mode, char *why,
					size_t whylen)
{
	if (!text || !mode)
		return PVABI_E_INVAL;
	if (!mode_parse_n(text, strlen(text), mode))
		return pvabi_why(PVABI_E_INVAL, why, whylen,
				 "unknown mode '%s' (off, guest or host)",
				 text);
	return 0;
}

static bool overlaps(const struct pvabi_patch_range *a,
		     const struct pvabi_patch_range *b)
{
	return a->start < b->end && b->start < a->end;
}

struct line {
	unsigned int nr;
	const char *text; /* the whole line, for quoting */
	size_t len;
};

#define BAD(ln, ...) line_fail(ln, why, whylen, __VA_ARGS__)

static int line_fail(const struct line *ln, char *why, size_t whylen,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int line_fail(const struct line *ln, char *why, size_t whylen,
		     const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pvabi_why(PVABI_E_MALFORMED, why, whylen, "line %u '%.*s': %s",
			 ln->nr, (int)(ln->len > 200 ? 200 : ln->len), ln->text,
			 msg);
}

static int parse_line(const struct line *ln, const char *k, size_t kn,
		      const char *v, size_t vn, struct pvabi_patch_policy *pol,
		      unsigned int *seen, char *why, size_t whylen)
{
	enum { SEEN_MODE = 1, SEEN_CLASSES = 2, SEEN_CAP = 4 };
	char sub[256];

#define KEY(s) (kn == sizeof(s) - 1 && !memcmp(k, s, kn))
	if (KEY("mode")) {
		if (*seen & SEEN_MODE)
			return BAD(ln, "mode given twice");
		if (!mode_parse_n(v, vn, &pol->mode))
			return BAD(ln,
				   "unknown mode '%.*s' (off, guest or host)",
				   (int)vn, v);
		*seen |= SEEN_MODE;
	} else if (KEY("classes")) {
		if (*seen & SEEN_CLASSES)
			return BAD(ln, "classes given twice");
		if (classes_parse_n(v, vn, &pol->classes, sub, sizeof(sub)))
			return BAD(ln, "%s", sub);
		*seen |= SEEN_CLASSES;
	} else if (KEY("max-sites")) {
		pvabi_u64 n;

		if (*seen & SEEN_CAP)
			return BAD(ln, "max-sites given twice");
		if (vn == 9 && !memcmp(v, "unlimited", 9))
			n = PVABI_PATCH_NO_CAP;
		else if (!pvabi_u64_parse_n(v, vn, &n) ||
			 n >= PVABI_PATCH_NO_CAP)
			return BAD(ln,
				   "max-sites wants a number below %u or "
				   "'unlimited', not '%.*s'",
				   PVABI_PATCH_NO_CAP, (int)vn, v);
		pol->max_sites = (pvabi_u32)n;
		*seen |= SEEN_CAP;
	} else if (KEY("exclude")) {
		const char *dash = memchr(v, '-', vn);
		struct pvabi_patch_range r;

		if (!dash ||
		    !pvabi_u64_parse_n(v, (size_t)(dash - v), &r.start) ||
		    !pvabi_u64_parse_n(dash + 1, (size_t)(v + vn - dash - 1),
				       &r.end))
			return BAD(ln,
				   "exclude wants START-END (e.g. "
				   "0xc0000000-0xc0001000), not '%.*s'",
				   (int)vn, v);
		if (r.end <= r.start)
			return BAD(
				ln,
				"empty or reversed range (END is exclusive)");
		if (pol->n_exclude == PVABI_PATCH_MAX_EXCLUDES)
			return BAD(ln, "more than %u excluded ranges",
				   PVABI_PATCH_MAX_EXCLUDES);
		for (unsigned int i = 0; i < pol->n_exclude; i++)
			if (overlaps(&r, &pol->exclude[i]))
				return BAD(ln,
					   "overlaps 0x%" PRIx64 "-0x%" PRIx64,
					   pol->exclude[i].start,
					   pol->exclude[i].end);
		pol->exclude[pol->n_exclude++] = r;
	} else {
		return BAD(ln,
			   "unknown key '%.*s' (mode, classes, exclude, "
			   "max-sites)",
			   (int)kn, k);
	}
#undef KEY
	return 0;
}

PVABI_EXPORT int pvabi_patch_policy_parse(const char *text, size_t len,
					  struct pvabi_patch_policy *pol,
					  char *why, size_t whylen)
{
	struct pvabi_patch_policy p;
	unsigned int seen = 0;
	struct line ln = {0};
	const char *s, *end;

	if (!text || !pol)
		return PVABI_E_INVAL;
	s = text;
	end = text + len;
	pvabi_patch_policy_init(&p);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *k, *eq, *v, *ke, *ve;
		int err;

		ln.nr++;
		ln.text = s;
		ln.len = (size_t)(e - s);
		if (ln.len > MAX_LINE)
			return BAD(&ln, "longer than %u bytes", MAX_LINE);
		if (memchr(s, '\0', ln.len))
			return BAD(&ln, "contains a NUL byte");
		for (k = s; k < e && is_blank(*k); k++)
			;
		for (ve = e; ve > k && is_blank(ve[-1]); ve--)
			;
		s = nl ? nl + 1 : end;
		if (k == ve || *k == '#')
			continue;
		eq = memchr(k, '=', (size_t)(ve - k));
		if (!eq)
			return BAD(&ln, "not KEY=VALUE");
		for (ke = eq; ke > k && is_blank(ke[-1]); ke--)
			;
		for (v = eq + 1; v < ve && is_blank(*v); v++)
			;
		if (v == ve)
			return BAD(&ln, "no value after '='");
		err = parse_line(&ln, k, (size_t)(ke - k), v, (size_t)(ve - v),
				 &p, &seen, why, whylen);
		if (err)
			return err;
	}
	*pol = p;
	return 0;
}

PVABI_EXPORT int pvabi_patch_policy_format(const struct pvabi_patch_policy *pol,
					   char *buf, size_t len)
{
	size_t n = 0;
	int w;

#define PUT(...)                                                               \
	do {                                                                   \
		w = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__);     \
		if (w < 0)                                                     \
			return PVABI_E_INVAL;                                  \
		n += (size_t)w;                                                \
	} while (0)

	if (!pol || (!buf && len) || pvabi_patch_policy_check(pol))
		return PVABI_E_INVAL;
	PUT("mode=%s\n", pvabi_patch_mode_name(pol->mode));
	if (pol->classes == PVABI_PC_ALL)
		PUT("classes=all\n");
	else if (!pol->classes)
		PUT("classes=none\n");
	else {
		const char *sep = "";

		PUT("classes=");
		for (unsigned int i = 0; i < 7; i++)
			if (pol->classes & (1u << i)) {
				PUT("%s%s", sep, class_names[i]);
				sep = ",";
			}
		PUT("\n");
	}
	for (unsigned int i = 0; i < pol->n_exclude; i++)
		PUT("exclude=0x%" PRIx64 "-0x%" PRIx64 "\n",
		    pol->exclude[i].start, pol->exclude[i].end);
	if (pol->max_sites == PVABI_PATCH_NO_CAP)
		PUT("max-sites=unlimited\n");
	else
		PUT("max-sites=%" PRIu32 "\n", pol->max_sites);
#undef PUT
	if (n >= len)
		return PVABI_E_NOSPACE;
	return (int)n;
}
