// SPDX-License-Identifier: GPL-2.0-or-later
/* A VM's direct-boot kernel under patch policy "host" (kernel.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <nettle/sha2.h>

#include "kernel.h"
#include "shmem.h"
#include "xml_read.h"

#define X(s) ((const xmlChar *)(s))

static xmlNode *child(const xmlNode *parent, const char *ns, const char *name)
{
	for (xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    !strcmp((const char *)c->name, name) &&
		    (ns ? c->ns && c->ns->href &&
				     !strcmp((const char *)c->ns->href, ns)
			: !c->ns))
			return c;
	return NULL;
}

/* @n's text, blanks around it dropped, into @buf ("" if none or too long). */
static void text_of(xmlNode *n, const char *attr, char *buf, size_t len)
{
	xmlChar *t = !n	    ? NULL
		     : attr ? xmlGetNoNsProp(n, X(attr))
			    : xmlNodeGetContent(n);
	const char *s = (const char *)t;
	size_t l;

	buf[0] = 0;
	if (!s)
		return;
	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	l = strlen(s);
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\n' || s[l - 1] == '\t'))
		l--;
	if (l < len) {
		memcpy(buf, s, l);
		buf[l] = 0;
	}
	xmlFree(t);
}

static int paths_of(xmlNode *root, struct pvctl_kernel_paths *p, char *why,
		    size_t whylen)
{
	struct pvctl_shmem_id id;

	memset(p, 0, sizeof(*p));
	if (!root || strcmp((const char *)root->name, "domain"))
		return pvabi_why(PVABI_E_MALFORMED, why, whylen,
				 "not a libvirt domain");
	text_of(child(child(root, NULL, "os"), NULL, "kernel"), NULL, p->kernel,
		sizeof(p->kernel));
	text_of(child(child(root, NULL, "metadata"), PVCTL_KERNEL_NS, "kernel"),
		"source", p->source, sizeof(p->source));
	text_of(child(root, NULL, "uuid"), NULL, p->uuid, sizeof(p->uuid));
	/* pvctl_shmem_id() checks the UUID, which names files below. */
	if (pvctl_shmem_id(p->uuid, &id))
		return pvabi_why(PVABI_E_MALFORMED, why, whylen,
				 "not a libvirt domain with a UUID");
	snprintf(p->copy, sizeof(p->copy), "%s/%s.vmlinux", PVCTL_KERNEL_DIR,
		 p->uuid);
	snprintf(p->report, sizeof(p->report), "%s/%s.json", PVCTL_KERNEL_DIR,
		 p->uuid);
	return 0;
}

int pvctl_kernel_paths(const char *xml, size_t len,
		       struct pvctl_kernel_paths *p, char *why, size_t whylen)
{
	xmlDoc *doc = pvctl_xml_read(xml, len, why, whylen);
	int r;

	memset(p, 0, sizeof(*p));
	if (!doc)
		return PVABI_E_MALFORMED;
	r = paths_of(xmlDocGetRootElement(doc), p, why, whylen);
	xmlFreeDoc(doc);
	return r;
}

/* <os><kernel>PATH</kernel> and the record of the original under <metadata>. */
static bool point(xmlNode *root, const char *path, const char *source)
{
	xmlNode *meta = child(root, NULL, "metadata");
	xmlNode *rec = child(meta, PVCTL_KERNEL_NS, "kernel");
	xmlNs *ns;

	xmlNodeSetContent(child(child(root, NULL, "os"), NULL, "kernel"),
			  X(path));
	if (rec) {
		xmlUnlinkNode(rec);
		xmlFreeNode(rec);
	}
	if (!source)
		return true;
	if (!meta)
		meta = xmlNewChild(root, NULL, X("metadata"), NULL);
	rec = meta ? xmlNewChild(meta, NULL, X("kernel"), NULL) : NULL;
	ns = rec ? xmlNewNs(rec, X(PVCTL_KERNEL_NS), X("pvabi-kernel")) : NULL;
	if (!ns)
		return false;
	xmlSetNs(rec, ns);
	return xmlNewProp(rec, X("source"), X(source)) != NULL;
}

int pvctl_kernel_edit(const char *xml, size_t len, bool host, char **out,
		      char *why, size_t whylen)
{
	xmlDoc *doc = pvctl_xml_read(xml, len, why, whylen);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	struct pvctl_kernel_paths p;
	xmlBuffer *buf = NULL;
	bool ok = true;
	int r;

	*out = NULL;
	if (!doc)
		return PVABI_E_MALFORMED;
	r = paths_of(root, &p, why, whylen);
	if (r)
		goto done;
	if (host && p.kernel[0] && strcmp(p.kernel, p.copy))
		ok = point(root, p.copy, p.kernel);
	else if (!host && p.source[0])
		ok = point(root, p.source, NULL);
	else
		goto done; /* r == 0: nothing to change */
	buf = ok ? xmlBufferCreate() : NULL;
	if (buf && xmlNodeDump(buf, doc, root, 0, 0) >= 0)
		*out = strdup((const char *)xmlBufferContent(buf));
	r = *out ? 1 : pvabi_why(PVABI_E_NOMEM, why, whylen, "out of memory");
done:
	if (buf)
		xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return r;
}

/* ---------------------------------------------------------- SHA-256 */

void pvctl_sha256_hex(const void *data, size_t len, char hex[65])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, len, data);
	sha256_digest(&c, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}
