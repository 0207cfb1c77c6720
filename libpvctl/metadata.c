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
#include "xml_read.h"

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
			return pvabi_why(PVABI_E_MALFORMED, why, whylen,
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

/* What one element may hold; everything else is refused. */
struct shape {
	const char *name;
	const char *const *attrs; /* NULL-terminated, or NULL: judged later */
	const char *const *children; /* NULL-terminated, or NULL: none */
	bool text;
};

static bool listed(const char *const *list, const char *name)
{
	for (; list && *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

static bool blank(const xmlChar *s)
{
	return !s || !s[strspn((const char *)s, " \t\r\n")];
}

/*
 * Metadata is input from whoever can edit the domain: an element, attribute
 * or text this version does not know is refused, not skipped, so that a
 * typo does not silently fall back to a default.  A later version that
 * needs more says so with a new namespace.
 */
static int check_shape(const xmlNode *n, bool plain, const struct shape *sh,
		       char *why, size_t whylen)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		const char *prefix = a->ns && a->ns->prefix
					     ? (const char *)a->ns->prefix
					     : "";

		if (a->ns ||
		    (sh->attrs && !listed(sh->attrs, (const char *)a->name)))
			return pvabi_why(PVABI_E_MALFORMED, why, whylen,
					 "<pvabi:%s> has an unknown attribute "
					 "'%.16s%s%.32s'",
					 sh->name, prefix, *prefix ? ":" : "",
					 (const char *)a->name);
	}
	for (const xmlNode *c = n->children; c; c = c->next) {
		switch (c->type) {
		case XML_COMMENT_NODE: continue;
		case XML_TEXT_NODE:
			if (sh->text || blank(c->content))
				continue;
			return pvabi_why(PVABI_E_MALFORMED, why, whylen,
					 "<pvabi:%s> holds text", sh->name);
		case XML_ELEMENT_NODE:
			if ((plain ? !c->ns
				   : c->ns && c->ns->href &&
					     !strcmp((const char *)c->ns->href,
						     PVCTL_METADATA_NS)) &&
			    listed(sh->children, (const char *)c->name))
				continue;
			return pvabi_why(PVABI_E_MALFORMED, why, whylen,
					 "<pvabi:%s> holds an unknown element "
					 "<%.32s>",
					 sh->name, (const char *)c->name);
		default:
			return pvabi_why(PVABI_E_MALFORMED, why, whylen,
					 "<pvabi:%s> holds an entity, CDATA or "
					 "processing instruction",
					 sh->name);
		}
	}
	return 0;
}

static const struct shape shape_root = {
	"pvabi", (const char *const[]){"enabled", NULL},
	(const char *const[]){"versions", "features", "patch", NULL}, false};
static const struct shape shape_versions = {
	"versions", (const char *const[]){"min", "max", NULL}, NULL, false};
static const struct shape shape_features = {
	"features", (const char *const[]){NULL}, NULL, true};
/* The patch policy's parser judges its attributes (its text form's keys). */
static const struct shape shape_patch = {
	"patch", NULL, (const char *const[]){"exclude", NULL}, false};
static const struct shape shape_exclude = {
	"exclude", (const char *const[]){"start", "end", NULL}, NULL, false};

static int parse_versions(const xmlNode *n, struct pvctl_vm_settings *s,
			  char *why, size_t whylen)
{
	char *lo = attr(n, "min"), *hi = attr(n, "max");
	char sub[200];
	int err = 0;

	if (!lo || !hi) {
		err = pvabi_why(PVABI_E_MALFORMED, why, whylen,
				"<pvabi:versions> needs both min and max");
		goto out;
	}
	err = pvabi_version_parse(lo, &s->lo, sub, sizeof(sub));
	if (!err)
		err = pvabi_version_parse(hi, &s->hi, sub, sizeof(sub));
	if (err) {
		pvabi_why_printf(why, whylen, "<pvabi:versions>: %s", sub);
		goto out;
	}
	if (pvabi_version_cmp(s->lo, s->hi) > 0)
		err = pvabi_why(PVABI_E_MALFORMED, why, whylen,
				"<pvabi:versions>: min %s is above max %s", lo,
				hi);
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
		return pvabi_why(PVABI_E_MALFORMED, why, whylen,
				 "<pvabi:features>: out of memory");
	err = pvabi_features_parse(text, &s->features, sub, sizeof(sub));
	if (err)
		pvabi_why_printf(why, whylen, "<pvabi:features>: %s", sub);
	xmlFree(text);
	return err;
}

/* An attribute value that may go into a key=value line: no line breaks,
 * no '=' (the library parser judges the rest). */
static bool plain_value(const char *v)
{
	return strlen(v) < 128 && !v[strcspn(v, "\n\r=")];
}

static int append(char *buf, size_t size, size_t *n, const char *key,
		  const char *value, char *why, size_t whylen)
{
	int w;

	if (!plain_value(value))
		return pvabi_why(PVABI_E_MALFORMED, why, whylen,
				 "<pvabi:patch>: %s=\"%.*s...\" holds a line "
				 "break or '='",
				 key, (int)strcspn(value, "\n\r="), value);
	w = snprintf(buf + *n, size - *n, "%s=%s\n", key, value);
	if (w < 0 || (size_t)w >= size - *n)
		return pvabi_why(PVABI_E_MALFORMED, why, whylen,
				 "<pvabi:patch> is too long");
	*n += (size_t)w;
	return 0;
}

/*
 * <pvabi:patch mode=".." classes=".." max-sites=".."> with <pvabi:exclude
 * start=".." end=".."/> children is the text form of pvabi/patch.h in XML:
 * each attribute a key=value line, each exclude an "exclude=START-END" line.
 * pvabi_patch_policy_parse() judges the result.
 */
static int parse_patch(const xmlNode *n, bool plain,
		       struct pvctl_vm_settings *s, char *why, size_t whylen)
{
	struct pvabi_patch_policy p;
	char text[PVCTL_PATCH_TEXT_MAX], sub[300];
	size_t len = 0;
	int err;

	for (const xmlAttr *a = n->properties; a; a = a->next) {
		char *v = (char *)xmlNodeGetContent((const xmlNode *)a);

		err = v ? append(text, sizeof(text), &len,
				 (const char *)a->name, v, why, whylen)
			: pvabi_why(PVABI_E_MALFORMED, why, whylen,
				    "out of memory");
		xmlFree(v);
		if (err)
			return err;
	}
	for (xmlNode *c = n->children; c; c = c->next) {
		char *start, *end, range[300];

		if (!is_ours(c, "exclude", plain))
			continue;
		if ((err = check_shape(c, plain, &shape_exclude, why, whylen)))
			return err;
		start = attr(c, "start");
		end = attr(c, "end");
		if (start && end && strlen(start) < 128 && strlen(end) < 128) {
			snprintf(range, sizeof(range), "%s-%s", start, end);
			err = append(text, sizeof(text), &len, "exclude", range,
				     why, whylen);
		} else
			err = pvabi_why(PVABI_E_MALFORMED, why, whylen,
					"<pvabi:exclude> needs start and end");
		xmlFree(start);
		xmlFree(end);
		if (err)
			return err;
	}
	err = pvabi_patch_policy_parse(text, len, &p, sub, sizeof(sub));
	if (err)
		return pvabi_why(err, why, whylen, "<pvabi:patch>: %s", sub);
	s->patch = p;
	return 0;
}

static int parse_element(const xmlNode *root, bool plain,
			 struct pvctl_vm_settings *out, char *why,
			 size_t whylen)
{
	struct pvctl_vm_settings s = *out;
	xmlNode *n;
	char *enabled;
	int err;

	if ((err = check_shape(root, plain, &shape_root, why, whylen)))
		return err;
	enabled = attr(root, "enabled");
	if (!enabled)
		return pvabi_why(
			PVABI_E_MALFORMED, why, whylen,
			"<pvabi:pvabi> needs enabled=\"yes\" or \"no\"");
	if (!strcmp(enabled, "yes") || !strcmp(enabled, "no")) {
		s.enabled = enabled[0] == 'y';
		err = 0;
	} else
		err = pvabi_why(
			PVABI_E_MALFORMED, why, whylen,
			"enabled=\"%.32s\" is neither \"yes\" nor \"no\"",
			enabled);
	xmlFree(enabled);
	if (err)
		return err;

	if ((err = child(root, "versions", plain, &n, why, whylen)))
		return err;
	if (n && ((err = check_shape(n, plain, &shape_versions, why, whylen)) ||
		  (err = parse_versions(n, &s, why, whylen))))
		return err;
	if ((err = child(root, "features", plain, &n, why, whylen)))
		return err;
	if (n && ((err = check_shape(n, plain, &shape_features, why, whylen)) ||
		  (err = parse_features(n, &s, why, whylen))))
		return err;
	if ((err = child(root, "patch", plain, &n, why, whylen)))
		return err;
	if (n && ((err = check_shape(n, plain, &shape_patch, why, whylen)) ||
		  (err = parse_patch(n, plain, &s, why, whylen))))
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

/* The first element or attribute whose prefix no xmlns declares: libxml2
 * keeps it, as a name with a colon in no namespace. */
static const xmlChar *unbound_prefix(const xmlNode *n)
{
	while (n) {
		if (n->type == XML_ELEMENT_NODE) {
			if (strchr((const char *)n->name, ':'))
				return n->name;
			for (const xmlAttr *a = n->properties; a; a = a->next)
				if (strchr((const char *)a->name, ':'))
					return a->name;
			if (n->children) {
				n = n->children;
				continue;
			}
		}
		while (n && !n->next)
			n = n->parent;
		if (n)
			n = n->next;
	}
	return NULL;
}

xmlDoc *pvctl_xml_read(const char *xml, size_t len, char *why, size_t whylen)
{
	const xmlChar *bad;
	xmlDoc *doc;

	if (len > PVCTL_DOMAIN_XML_MAX || len > INT32_MAX) {
		pvabi_why_printf(why, whylen, "XML of %zu bytes is too large",
				 len);
		return NULL;
	}
	doc = xmlReadMemory(xml, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		const char *msg = e && e->message ? e->message : "parse error";

		pvabi_why_printf(why, whylen, "not well-formed XML: %.*s",
				 (int)strcspn(msg, "\n"), msg);
		return NULL;
	}
	if (doc->intSubset || doc->extSubset) {
		pvabi_why_printf(why, whylen, "a DOCTYPE is not allowed");
		xmlFreeDoc(doc);
		return NULL;
	}
	/* Read as if in no namespace, it could be edited and written back
	 * into one the document declares later. */
	bad = unbound_prefix(xmlDocGetRootElement(doc));
	if (bad) {
		pvabi_why_printf(why, whylen, "'%.64s': undeclared prefix",
				 (const char *)bad);
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

int pvctl_metadata_parse(const char *xml, size_t len,
			 struct pvctl_vm_settings *s, char *why, size_t whylen)
{
	const xmlNode *root, *el;
	bool plain = false;
	xmlDoc *doc;
	int err;

	doc = pvctl_xml_read(xml, len, why, whylen);
	if (!doc)
		return PVABI_E_MALFORMED;
	root = xmlDocGetRootElement(doc);
	if (root && (is_ns(root, "pvabi") || is_plain(root, "pvabi"))) {
		el = root;
		plain = !root->ns;
	} else if (root && is_plain(root, "domain"))
		el = find_in_domain(root);
	else {
		err = pvabi_why(PVABI_E_MALFORMED, why, whylen,
				"root element is neither <pvabi> nor <domain>");
		goto out;
	}
	if (!el)
		err = pvabi_why(PVABI_E_NOTFOUND, why, whylen,
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

/* The reverse of parse_patch(): the canonical text, line by line. */
static bool add_patch(xmlNode *patch, xmlNs *ns,
		      const struct pvabi_patch_policy *p)
{
	char text[PVCTL_PATCH_TEXT_MAX], *line, *save = NULL;

	if (pvabi_patch_policy_format(p, text, sizeof(text)) < 0)
		return false;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *dash;
		xmlNode *n;

		if (!eq)
			return false;
		*eq = '\0';
		if (strcmp(line, "exclude")) {
			if (!set(patch, line, eq + 1))
				return false;
			continue;
		}
		dash = strchr(eq + 1, '-');
		if (!dash)
			return false;
		*dash = '\0';
		if (!(n = add(patch, ns, "exclude", NULL)) ||
		    !set(n, "start", eq + 1) || !set(n, "end", dash + 1))
			return false;
	}
	return true;
}

char *pvctl_metadata_format(const struct pvctl_vm_settings *s, bool with_ns)
{
	char lo[16], hi[16], features[512];
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
	      add_patch(patch, ns, &s->patch);
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
