// SPDX-License-Identifier: LGPL-2.1-or-later
/* Text forms shared by pvctl, pvctld and configuration files. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvabi/pvabi.h"
#include "export.h"
#include "text.h"

/* A decimal number 0..65535 with nothing else, from @s up to @end. */
static bool parse_u16(const char *s, const char *end, pvabi_u16 *out)
{
	unsigned long v = 0;

	if (s == end || end - s > 5)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > 65535)
		return false;
	*out = (pvabi_u16)v;
	return true;
}

bool pvabi_u64_parse_n(const char *s, size_t n, pvabi_u64 *out)
{
	const char *end = s + n;
	unsigned int base = 10;
	pvabi_u64 v = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (s == end)
		return false;
	for (; s < end; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

PVABI_EXPORT int pvabi_u64_parse(const char *text, pvabi_u64 min, pvabi_u64 max,
				 pvabi_u64 *out, char *why, size_t whylen)
{
	pvabi_u64 v;

	if (!text || !out || min > max)
		return PVABI_E_INVAL;
	if (!pvabi_u64_parse_n(text, strlen(text), &v) || v < min || v > max)
		return pvabi_why(PVABI_E_INVAL, why, whylen,
				 "'%s' is not a number in %llu..%llu", text,
				 (unsigned long long)min,
				 (unsigned long long)max);
	*out = v;
	return 0;
}

static int version_parse_n(const char *text, size_t n, struct pvabi_version *v,
			   char *why, size_t whylen)
{
	const char *dot = memchr(text, '.', n);
	struct pvabi_version r;

	if (!dot || !parse_u16(text, dot, &r.major) ||
	    !parse_u16(dot + 1, text + n, &r.minor))
		return pvabi_why(
			PVABI_E_BADVERSION, why, whylen,
			"'%.*s' is not a version (want MAJOR.MINOR, e.g. 1.0)",
			(int)n, text);
	if (r.major == 0)
		return pvabi_why(PVABI_E_BADVERSION, why, whylen,
				 "'%.*s': major version 0 does not exist",
				 (int)n, text);
	*v = r;
	return 0;
}

PVABI_EXPORT int pvabi_version_parse(const char *text, struct pvabi_version *v,
				     char *why, size_t whylen)
{
	if (!text || !v)
		return PVABI_E_INVAL;
	return version_parse_n(text, strlen(text), v, why, whylen);
}

PVABI_EXPORT int pvabi_version_list_parse(const char *text,
					  struct pvabi_offer *offer, char *why,
					  size_t whylen)
{
	struct pvabi_version vs[PVABI_OFFER_MAX_VERSIONS];
	pvabi_u32 n = 0;
	const char *p;

	if (!text || !offer)
		return PVABI_E_INVAL;
	for (p = text;; p++) {
		const char *end = strchrnul(p, ',');
		int err;

		if (end == p)
			return pvabi_why(PVABI_E_MALFORMED, why, whylen,
					 "'%s': empty item in version list",
					 text);
		if (n == PVABI_OFFER_MAX_VERSIONS)
			return pvabi_why(PVABI_E_MALFORMED, why, whylen,
					 "'%s': more than %u versions", text,
					 PVABI_OFFER_MAX_VERSIONS);
		err = version_parse_n(p, (size_t)(end - p), &vs[n], why,
				      whylen);
		if (err)
			return err;
		for (pvabi_u32 i = 0; i < n; i++)
			if (!pvabi_version_cmp(vs[i], vs[n]))
				return pvabi_why(PVABI_E_MALFORMED, why, whylen,
						 "'%.*s' is listed twice",
						 (int)(end - p), p);
		n++;
		if (!*end)
			break;
		p = end;
	}
	memcpy(offer->versions, vs, sizeof(vs[0]) * n);
	offer->n_versions = n;
	return 0;
}

PVABI_EXPORT int pvabi_version_range_parse(const char *text,
					   struct pvabi_version *lo,
					   struct pvabi_version *hi, char *why,
					   size_t whylen)
{
	const char *dash;
	struct pvabi_version a, b;
	int err;

	if (!text || !lo || !hi)
		return PVABI_E_INVAL;
	dash = strchr(text, '-');
	if (!dash) {
		err = pvabi_version_parse(text, &a, why, whylen);
		if (err)
			return err;
		*lo = *hi = a;
		return 0;
	}
	err = version_parse_n(text, (size_t)(dash - text), &a, why, whylen);
	if (!err)
		err = pvabi_version_parse(dash + 1, &b, why, whylen);
	if (err)
		return err;
	if (pvabi_version_cmp(a, b) > 0)
		return pvabi_why(PVABI_E_MALFORMED, why, whylen,
				 "'%s': range starts above its end", text);
	*lo = a;
	*hi = b;
	return 0;
}

PVABI_EXPORT int pvabi_features_parse(const char *text, pvabi_u64 *mask,
				      char *why, size_t whylen)
{
	const struct pvabi_feature_info *f;
	size_t nf;
	pvabi_u64 m = 0;
	const char *p;

	if (!text || !mask)
		return PVABI_E_INVAL;
	f = pvabi_features(&nf);
	if (!*text || !strcmp(text, "none")) {
		*mask = 0;
		return 0;
	}
	if (!strcmp(text, "all")) {
		for (size_t i = 0; i < nf; i++)
			m |= f[i].bit;
		*mask = m;
		return 0;
	}
	for (p = text;; p++) {
		const char *end = strchrnul(p, ',');
		size_t len = (size_t)(end - p), i;

		for (i = 0; i < nf; i++)
			if (strlen(f[i].name) == len &&
			    !strncmp(f[i].name, p, len))
				break;
		if (i == nf)
			return pvabi_why(
				PVABI_E_INVAL, why, whylen,
				"unknown feature '%.*s' (see 'pvctl abi show')",
				(int)len, p);
		m |= f[i].bit;
		if (!*end)
			break;
		p = end;
	}
	*mask = m;
	return 0;
}

PVABI_EXPORT int pvabi_features_format(pvabi_u64 mask, char *buf, size_t len)
{
	const struct pvabi_feature_info *f;
	size_t nf, used = 0;

	if (!buf)
		return PVABI_E_INVAL;
	if (!len)
		return PVABI_E_NOSPACE;
	f = pvabi_features(&nf);
	buf[0] = '\0';
	for (unsigned bit = 0; bit < 64; bit++) {
		const char *name = NULL;
		char tmp[8];
		int n;

		if (!(mask & (1ull << bit)))
			continue;
		for (size_t i = 0; i < nf; i++)
			if (f[i].bit == 1ull << bit)
				name = f[i].name;
		if (!name) {
			snprintf(tmp, sizeof(tmp), "bit%u", bit);
			name = tmp;
		}
		n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			     name);
		if (n < 0 || (size_t)n >= len - used)
			return PVABI_E_NOSPACE;
		used += (size_t)n;
	}
	return (int)used;
}

PVABI_EXPORT int pvabi_version_range_format(struct pvabi_version lo,
					    struct pvabi_version hi, char *buf,
					    size_t len)
{
	int n;

	if (!buf)
		return PVABI_E_INVAL;
	if (!len)
		return PVABI_E_NOSPACE;
	if (!pvabi_version_cmp(lo, hi))
		n = snprintf(buf, len, "%u.%u", lo.major, lo.minor);
	else
		n = snprintf(buf, len, "%u.%u-%u.%u", lo.major, lo.minor,
			     hi.major, hi.minor);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return PVABI_E_NOSPACE;
	}
	return n;
}

PVABI_EXPORT int pvabi_version_list_format(const struct pvabi_offer *offer,
					   char *buf, size_t len)
{
	size_t used = 0;

	if (!buf || !offer)
		return PVABI_E_INVAL;
	if (!len)
		return PVABI_E_NOSPACE;
	buf[0] = '\0';
	if (offer->n_versions > PVABI_OFFER_MAX_VERSIONS)
		return PVABI_E_INVAL;
	for (pvabi_u32 i = 0; i < offer->n_versions; i++) {
		int n = snprintf(buf + used, len - used, "%s%u.%u",
				 i ? "," : "", offer->versions[i].major,
				 offer->versions[i].minor);

		if (n < 0 || (size_t)n >= len - used) {
			buf[0] = '\0';
			return PVABI_E_NOSPACE;
		}
		used += (size_t)n;
	}
	return (int)used;
}

PVABI_EXPORT int pvabi_negotiate_explain(const struct pvabi_offer *offer,
					 const struct pvabi_request *req,
					 int err, char *buf, size_t len)
{
	char vers[PVABI_VERSION_LIST_TEXT_MAX], feats[256];
	pvabi_u64 missing;
	int n;

	if (!buf || !offer || !req)
		return PVABI_E_INVAL;
	if (!len)
		return PVABI_E_NOSPACE;
	/* An invalid offer leaves vers "": its error is not NOVERSION. */
	pvabi_version_list_format(offer, vers, sizeof(vers));
	switch (err) {
	case PVABI_E_NOVERSION:
		n = snprintf(buf, len,
			     "guest range %u.%u-%u.%u and host offer %s%s "
			     "share no version",
			     req->min.major, req->min.minor, req->max.major,
			     req->max.minor, vers,
			     offer->floor.major ? " (with a floor)" : "");
		break;
	case PVABI_E_NOFEATURE:
		missing = req->required & ~offer->features;
		if (!missing) {
			/* Offered, but newer than the version they agree on. */
			struct pvabi_request plain = *req;
			struct pvabi_result res;

			plain.required = 0;
			plain.magic_gpa = plain.notify_gpa = 0;
			if (!pvabi_negotiate(offer, &plain, &res)) {
				pvabi_features_format(
					req->required & pvabi_features_after(
								res.version),
					feats, sizeof(feats));
				n = snprintf(buf, len,
					     "guest requires feature(s) %s, "
					     "newer than ABI %u.%u, the "
					     "highest version both take",
					     feats, res.version.major,
					     res.version.minor);
				break;
			}
		}
		pvabi_features_format(missing, feats, sizeof(feats));
		n = snprintf(buf, len,
			     "guest requires feature(s) %s that the host does "
			     "not offer",
			     feats);
		break;
	case PVABI_E_BADVERSION:
		n = snprintf(
			buf, len,
			"guest range %u.%u-%u.%u is empty or names major 0",
			req->min.major, req->min.minor, req->max.major,
			req->max.minor);
		break;
	case PVABI_E_BADADDR:
	case PVABI_E_RESERVED:
		n = snprintf(buf, len,
			     "page addresses 0x%llx/0x%llx refused: %s",
			     (unsigned long long)req->magic_gpa,
			     (unsigned long long)req->notify_gpa,
			     pvabi_strerror(err));
		break;
	default: n = snprintf(buf, len, "%s", pvabi_strerror(err));
	}
	if (n < 0 || (size_t)n >= len)
		return PVABI_E_NOSPACE;
	return n;
}
