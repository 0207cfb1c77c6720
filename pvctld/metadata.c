// SPDX-License-Identifier: GPL-2.0-or-later
/* A VM's pvabi settings to and from libvirt domain metadata, with libxml2. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "metadata.h"

static int fail(int err, char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int err, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

static bool is_plain(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !n->ns &&
	       !strcmp((const char *)n->name, name);
}

static bool is_ns(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, PVCTL_METADATA_NS) &&
	       !strcmp((const char *)n->name, name);
}

/*
 * virDomainGetMetadata hands the element back without a namespace (the
 * caller named it); in a domain document it is in pvabi's.  @plain says
 * which form is being read.
 */
static bool is_ours(const xmlNode *n, const char *name, bool plain)
{
	return plain ? is_plain(n, name) : is_ns(n, name);
}

/* The one child of @parent that is ours and called @name; more than one is
 * malformed (which one would win?). */
static int child(const xmlNode *parent, const char *name, bool plain,
		 xmlNode **out, char *why, size_t whylen)
{
	*out = NULL;
	for (xmlNode *c = parent->children; c; c = c->next) {
		if (!is_ours(c, name, plain))
			continue;
		if (*out)
			return fail(PVABI_E_MALFORMED, why, whylen,
				    "<pvabi:%s> appears twice", name);
		*out = c;
	}
	return 0;
}

/* Attribute @name of @n, NULL when absent; the caller xmlFree()s it. */
static char *attr(const xmlNode *n, const char *name)
{
	return (char *)xmlGetNoNsProp(n, (const xmlChar *)name);
}

static int parse_versions(const xmlNode *n, struct pvctl_vm_settings *s,
			  char *why, size_t whylen)
{
	char *lo = attr(n, "min"), *hi = attr(n, "max");
	char sub[200];
	int err = 0;

	if (!lo || !hi) {
		err = fail(PVABI_E_MALFORMED, why, whylen,
			   "<pvabi:versions> needs both min and max");
		goto out;
	}
	err = pvabi_version_parse(lo, &s->lo, sub, sizeof(sub));
	if (!err)
		err = pvabi_version_parse(hi, &s->hi, sub, sizeof(sub));
	if (err) {
		fail(err, why, whylen, "<pvabi:versions>: %s", sub);
		goto out;
	}
	if (pvabi_version_cmp(s->lo, s->hi) > 0)
		err = fail(PVABI_E_MALFORMED, why, whylen,
			   "<pvabi:versions>: min %s is above max %s", lo, hi);
out:
	xmlFree(lo);
	xmlFree(hi);
	return err;
}

static int parse_features(const xmlNode *n, struct pvctl_vm_settings *s,
			  char *why, size_t whylen)
{
	char *text = (char *)xmlNodeGetContent(n);
	char sub[200];
	int err;

	if (!text)
		return fail(PVABI_E_MALFORMED, why, whylen,
			    "<pvabi:features>: out of memory");
	err = pvabi_features_parse(text, &s->features, sub, sizeof(sub));
	if (err)
		fail(err, why, whylen, "<pvabi:features>: %s", sub);
	xmlFree(text);
	return err;
}

static int parse_exclude(const xmlNode *n, struct pvctl_range *r, char *why,
			 size_t whylen)
{
	char *start = attr(n, "start"), *end = attr(n, "end");
	char sub[200];
	int err;

	if (!start || !end)
		err = fail(PVABI_E_MALFORMED, why, whylen,
			   "<pvabi:exclude> needs both start and end");
	else if ((err = pvctl_addr_parse(start, &r->start, sub, sizeof(sub))) ||
		 (err = pvctl_addr_parse(end, &r->end, sub, sizeof(sub))))
		fail(err, why, whylen, "<pvabi:exclude>: %s", sub);
	xmlFree(start);
	xmlFree(end);
	return err;
}

static int parse_patch(const xmlNode *n, bool plain,
		       struct pvctl_vm_settings *s, char *why, size_t whylen)
{
	struct pvctl_patch_policy p = { 0 };
	char *mode = attr(n, "mode");
	char sub[200];
	int err;

	if (!mode)
		return fail(PVABI_E_MALFORMED, why, whylen,
			    "<pvabi:patch> needs a mode");
	err = pvctl_patch_mode_parse(mode, &p.mode, sub, sizeof(sub));
	xmlFree(mode);
	if (err)
		return fail(err, why, whylen, "<pvabi:patch>: %s", sub);
	for (xmlNode *c = n->children; c; c = c->next) {
		if (!is_ours(c, "exclude", plain))
			continue;
		if (p.n_exclude == PVCTL_PATCH_MAX_EXCLUDES)
			return fail(PVABI_E_MALFORMED, why, whylen,
				    "<pvabi:patch> has more than %d excludes",
				    PVCTL_PATCH_MAX_EXCLUDES);
		err = parse_exclude(c, &p.exclude[p.n_exclude++], why, whylen);
		if (err)
			return err;
	}
	err = pvctl_patch_policy_check(&p, sub, sizeof(sub));
	if (err)
		return fail(err, why, whylen, "<pvabi:patch>: %s", sub);
	s->patch = p;
	return 0;
}

static int parse_element(const xmlNode *root, bool plain,
			 struct pvctl_vm_settings *out, char *why,
			 size_t whylen)
{
	struct pvctl_vm_settings s = *out;
	xmlNode *n;
	char *enabled = attr(root, "enabled");
	int err;

	if (!enabled)
		return fail(PVABI_E_MALFORMED, why, whylen,
			    "<pvabi:pvabi> needs enabled=\"yes\" or \"no\"");
	if (!strcmp(enabled, "yes") || !strcmp(enabled, "no")) {
		s.enabled = enabled[0] == 'y';
		err = 0;
	} else
		err = fail(PVABI_E_MALFORMED, why, whylen,
			   "enabled=\"%.32s\" is neither \"yes\" nor \"no\"",
			   enabled);
	xmlFree(enabled);
	if (err)
		return err;

	if ((err = child(root, "versions", plain, &n, why, whylen)))
		return err;
	if (n && (err = parse_versions(n, &s, why, whylen)))
		return err;
	if ((err = child(root, "features", plain, &n, why, whylen)))
		return err;
	if (n && (err = parse_features(n, &s, why, whylen)))
		return err;
	if ((err = child(root, "patch", plain, &n, why, whylen)))
		return err;
	if (n && (err = parse_patch(n, plain, &s, why, whylen)))
		return err;
	*out = s;
	return 0;
}

static const xmlNode *find_in_domain(const xmlNode *domain)
{
	for (const xmlNode *m = domain->children; m; m = m->next) {
		if (!is_plain(m, "metadata"))
			continue;
		for (const xmlNode *c = m->children; c; c = c->next)
			if (is_ns(c, "pvabi"))
				return c;
	}
	return NULL;
}

int pvctl_metadata_parse(const char *xml, size_t len,
			 struct pvctl_vm_settings *s, char *why, size_t whylen)
{
	const xmlNode *root, *el;
	bool plain = false;
	xmlDoc *doc;
	int err;

	if (len > PVCTL_DOMAIN_XML_MAX || len > INT32_MAX)
		return fail(PVABI_E_MALFORMED, why, whylen,
			    "XML of %zu bytes is too large", len);
	/* No network, no entity expansion, no messages on stderr. */
	doc = xmlReadMemory(xml, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		const char *msg = e && e->message ? e->message : "parse error";

		return fail(PVABI_E_MALFORMED, why, whylen,
			    "not well-formed XML: %.*s",
			    (int)strcspn(msg, "\n"), msg);
	}
	root = xmlDocGetRootElement(doc);
	if (root && (is_ns(root, "pvabi") || is_plain(root, "pvabi"))) {
		el = root;
		plain = !root->ns;
	} else if (root && is_plain(root, "domain"))
		el = find_in_domain(root);
	else {
		err = fail(PVABI_E_MALFORMED, why, whylen,
			   "root element is neither <pvabi> nor <domain>");
		goto out;
	}
	if (!el)
		err = fail(PVABI_E_NOTFOUND, why, whylen,
			   "the domain has no pvabi metadata");
	else
		err = parse_element(el, plain, s, why, whylen);
out:
	xmlFreeDoc(doc);
	return err;
}

static xmlNode *add(xmlNode *parent, xmlNs *ns, const char *name,
		    const char *text)
{
	return xmlNewChild(parent, ns, (const xmlChar *)name,
			   (const xmlChar *)text);
}

static bool set(xmlNode *n, const char *name, const char *value)
{
	return xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)value);
}

char *pvctl_metadata_format(const struct pvctl_vm_settings *s, bool with_ns)
{
	char lo[16], hi[16], features[512], addr[24];
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlBuffer *buf = NULL;
	xmlNode *root, *n, *patch;
	xmlNs *ns;
	char *out = NULL;
	bool ok = true;

	if (!doc)
		return NULL;
	root = xmlNewNode(NULL, (const xmlChar *)"pvabi");
	if (!root)
		goto out;
	xmlDocSetRootElement(doc, root);
	ns = NULL;
	if (with_ns) {
		ns = xmlNewNs(root, (const xmlChar *)PVCTL_METADATA_NS,
			      (const xmlChar *)PVCTL_METADATA_PREFIX);
		if (!ns)
			goto out;
		xmlSetNs(root, ns);
	}
	ok &= set(root, "enabled", s->enabled ? "yes" : "no");

	snprintf(lo, sizeof(lo), "%u.%u", s->lo.major, s->lo.minor);
	snprintf(hi, sizeof(hi), "%u.%u", s->hi.major, s->hi.minor);
	ok &= (n = add(root, ns, "versions", NULL)) && set(n, "min", lo) &&
	      set(n, "max", hi);

	if (pvabi_features_format(s->features, features, sizeof(features)) < 0)
		goto out;
	ok &= !!add(root, ns, "features", features);

	ok &= (patch = add(root, ns, "patch", NULL)) &&
	      set(patch, "mode", pvctl_patch_mode_name(s->patch.mode));
	for (unsigned int i = 0; ok && i < s->patch.n_exclude; i++) {
		ok &= !!(n = add(patch, ns, "exclude", NULL));
		snprintf(addr, sizeof(addr), "0x%" PRIx64,
			 s->patch.exclude[i].start);
		ok &= n && set(n, "start", addr);
		snprintf(addr, sizeof(addr), "0x%" PRIx64,
			 s->patch.exclude[i].end);
		ok &= n && set(n, "end", addr);
	}
	if (!ok)
		goto out;
	buf = xmlBufferCreate();
	if (!buf || xmlNodeDump(buf, doc, root, 0, 0) < 0)
		goto out;
	out = strdup((const char *)xmlBufferContent(buf));
out:
	if (buf)
		xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}
