// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctld.conf.  Hand-written: four keys do not justify GLib's GKeyFile. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>

#include "conf.h"
#include "settings.h"

void pvctl_config_default(struct pvctl_config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->group, "pvabi");
	c->offer.n_versions = 1;
	c->offer.versions[0].major = PVABI_VERSION_MAJOR;
	c->offer.versions[0].minor = PVABI_VERSION_MINOR;
	c->offer.features = PVABI_F_ALL_1_1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int set_string(char *dst, size_t size, const char *key,
		      const char *value, unsigned int line, char *why,
		      size_t whylen)
{
	if (!*value || strlen(value) >= size)
		return pvabi_why(PVABI_E_INVAL, why, whylen,
				 "line %u: %s '%.64s' is empty or too long",
				 line, key, value);
	strcpy(dst, value);
	return 0;
}

/*
 * libvirt parses a URI with libxml2's xmlParseURI() (virURIParse(), not
 * public) and fails the same way for a malformed one whether or not libvirtd
 * is there ("Unable to parse URI", VIR_ERR_INTERNAL_ERROR, a code it uses for
 * much else): asking the same parser here tells a malformed URI from an
 * unreachable one before libvirt is ever asked.  An alias from libvirt.conf
 * ("uri_aliases") parses too, as a relative reference.
 */
int pvctl_config_check_uri(const char *uri, char *why, size_t whylen)
{
	xmlURIPtr u;

	if (!*uri)
		return pvabi_why(PVABI_E_INVAL, why, whylen, "URI is empty");
	u = xmlParseURI(uri);
	if (!u)
		return pvabi_why(PVABI_E_INVAL, why, whylen,
				 "'%.120s' is not a URI libvirt can parse",
				 uri);
	xmlFreeURI(u);
	return 0;
}

static int parse_line(char *line, unsigned int no, struct pvctl_config *c,
		      char *why, size_t whylen)
{
	char *eq, *key, *value, sub[200];
	int err;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return pvabi_why(PVABI_E_INVAL, why, whylen,
				 "line %u: '%.64s' is not key = value", no,
				 line);
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!strcmp(key, "connect")) {
		err = set_string(c->connect, sizeof(c->connect), key, value, no,
				 why, whylen);
		if (!err && pvctl_config_check_uri(value, sub, sizeof(sub)))
			err = pvabi_why(PVABI_E_INVAL, why, whylen,
					"line %u: connect: %s", no, sub);
		return err;
	}
	if (!strcmp(key, "group"))
		return set_string(c->group, sizeof(c->group), key, value, no,
				  why, whylen);
	if (!strcmp(key, "versions")) {
		struct pvabi_offer o = c->offer;

		err = pvabi_version_list_parse(value, &o, sub, sizeof(sub));
		if (!err)
			err = pvabi_offer_check(&o);
		if (err)
			return pvabi_why(err, why, whylen,
					 "line %u: versions: %s", no, sub);
		c->offer = o;
		return 0;
	}
	if (!strcmp(key, "features")) {
		err = pvabi_features_parse(value, &c->offer.features, sub,
					   sizeof(sub));
		if (err)
			return pvabi_why(err, why, whylen,
					 "line %u: features: %s", no, sub);
		return 0;
	}
	return pvabi_why(PVABI_E_INVAL, why, whylen,
			 "line %u: unknown key '%.64s'", no, key);
}

int pvctl_config_parse(const char *text, size_t len, struct pvctl_config *c,
		       char *why, size_t whylen)
{
	struct pvctl_config n = *c;
	unsigned int no = 1;
	char *copy, *line;
	int err = 0;

	if (len > PVCTL_CONFIG_MAX)
		return pvabi_why(PVABI_E_MALFORMED, why, whylen,
				 "larger than %u bytes", PVCTL_CONFIG_MAX);
	if (memchr(text, '\0', len))
		return pvabi_why(PVABI_E_MALFORMED, why, whylen,
				 "contains a NUL byte");
	copy = strndup(text, len);
	if (!copy)
		return pvabi_why(PVABI_E_NOSPACE, why, whylen, "out of memory");
	/* strtok_r would skip empty lines and miscount. */
	for (line = copy; line && !err; no++) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		err = parse_line(line, no, &n, why, whylen);
		line = nl ? nl + 1 : NULL;
	}
	free(copy);
	if (!err)
		*c = n;
	return err;
}

int pvctl_config_load(const char *path, bool must_exist, struct pvctl_config *c,
		      char *why, size_t whylen)
{
	char buf[PVCTL_CONFIG_MAX + 1];
	size_t n;
	FILE *f = fopen(path, "re");
	int err;

	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return pvabi_why(PVABI_E_INVAL, why, whylen, "%s: %s", path,
				 strerror(errno));
	}
	n = fread(buf, 1, sizeof(buf), f);
	err = ferror(f);
	fclose(f);
	if (err)
		return pvabi_why(PVABI_E_INVAL, why, whylen, "%s: read error",
				 path);
	err = pvctl_config_parse(buf, n, c, why, whylen);
	if (err && why && whylen) {
		char sub[256];

		snprintf(sub, sizeof(sub), "%s", why);
		pvabi_why_printf(why, whylen, "%s: %s", path, sub);
	}
	return err;
}
