// SPDX-License-Identifier: GPL-2.0-or-later
/* pvabi's ivshmem-doorbell device in a libvirt domain definition (libxml2). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "metadata.h"
#include "shmem.h"
#include "xml_read.h"

#define X(s) ((const xmlChar *)(s))

int pvctl_shmem_id(const char *uuid, struct pvctl_shmem_id *id)
{
	char hex[33];
	size_t n = 0;

	if (!uuid || strlen(uuid) != 36)
		return PVABI_E_INVAL;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? uuid[i] != '-' : !isxdigit((unsigned char)uuid[i]))
			return PVABI_E_INVAL;
		if (!dash)
			hex[n++] = (char)tolower((unsigned char)uuid[i]);
	}
	hex[n] = '\0';
	snprintf(id->name, sizeof(id->name), "pvabi-%s", hex);
	snprintf(id->alias, sizeof(id->alias), "ua-pvabi-%s", hex);
	snprintf(id->path, sizeof(id->path), PVCTL_SHMEM_DIR "/%s.sock", uuid);
	return 0;
}

/* An element called @name, in namespace @ns (NULL: in none). */
static bool is_el(const xmlNode *n, const char *ns, const char *name)
{
	if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name))
		return false;
	if (!ns)
		return !n->ns;
	return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, ns);
}

static bool attr_is(const xmlNode *n, const char *name, const char *value)
{
	xmlChar *v = xmlGetNoNsProp(n, X(name));
	bool r = v && !strcmp((const char *)v, value);

	xmlFree(v);
	return r;
}

/* @n has the attributes @kv (name, value, ..., NULL) and no other. */
static bool exactly(const xmlNode *n, const char *const *kv)
{
	size_t want = 0, have = 0;

	for (; kv[want]; want += 2)
		if (!attr_is(n, kv[want], kv[want + 1]))
			return false;
	for (const xmlAttr *a = n->properties; a; a = a->next)
		have++;
	return 2 * have == want;
}

static xmlNode *first(const xmlNode *parent, const char *ns, const char *name)
{
	for (xmlNode *c = parent->children; c; c = c->next)
		if (is_el(c, ns, name))
			return c;
	return NULL;
}

static void drop(xmlNode *n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/* A child element of @parent with attributes @kv (name, value, ..., NULL). */
static xmlNode *add(xmlNode *parent, xmlNs *ns, const char *name,
		    const char *const *kv)
{
	xmlNode *n = xmlNewChild(parent, ns, X(name), NULL);

	for (; n && *kv; kv += 2)
		if (!xmlNewProp(n, X(kv[0]), X(kv[1])))
			return NULL;
	return n;
}

/* The shape of the device, child by child: element name and attributes.
 * <address> is libvirt's and may be anything. */
struct part {
	const char *name;
	const char *kv[5];
};

static void parts_of(const struct pvctl_shmem_id *id, const char *vectors,
		     struct part p[4])
{
	p[0] = (struct part){"model", {"type", "ivshmem-doorbell", NULL}};
	p[1] = (struct part){"server", {"path", id->path, NULL}};
	p[2] = (struct part){"msi",
			     {"vectors", vectors, "ioeventfd", "on", NULL}};
	p[3] = (struct part){"alias", {"name", id->alias, NULL}};
}

static bool canonical_shmem(const xmlNode *n, const struct pvctl_shmem_id *id,
			    unsigned int vectors)
{
	const char *const top[] = {"name", id->name, "role", "master", NULL};
	unsigned int seen[4] = {0};
	struct part p[4];
	char v[16];

	snprintf(v, sizeof(v), "%u", vectors);
	parts_of(id, v, p);
	if (!exactly(n, top))
		return false;
	for (const xmlNode *c = n->children; c; c = c->next) {
		size_t i;

		if (c->type != XML_ELEMENT_NODE || is_el(c, NULL, "address"))
			continue;
		for (i = 0; i < 4 && !is_el(c, NULL, p[i].name); i++)
			;
		if (i == 4 || !exactly(c, p[i].kv) || seen[i]++)
			return false;
	}
	return seen[0] && seen[1] && seen[2] && seen[3];
}

static xmlNode *new_shmem(const struct pvctl_shmem_id *id, unsigned int vectors)
{
	xmlNode *n = xmlNewNode(NULL, X("shmem"));
	struct part p[4];
	char v[16];

	if (!n)
		return NULL;
	snprintf(v, sizeof(v), "%u", vectors);
	parts_of(id, v, p);
	if (!xmlNewProp(n, X("name"), X(id->name)) ||
	    !xmlNewProp(n, X("role"), X("master")))
		goto fail;
	for (size_t i = 0; i < 4; i++)
		if (!add(n, NULL, p[i].name, p[i].kv))
			goto fail;
	return n;
fail:
	xmlFreeNode(n);
	return NULL;
}

/* auto, not on: shmem.h says why. */
static const char *const master_auto[] = {"name",  "master", "type", "string",
					  "value", "auto",   NULL};

/* The one element child of @n, if it is qemu:@name with the attributes
 * @kv and no other; else NULL. */
static const xmlNode *only_child(const xmlNode *n, const char *name,
				 const char *const *kv)
{
	const xmlNode *found = NULL;

	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (found || !is_el(c, PVCTL_QEMU_NS, name) || !exactly(c, kv))
			return NULL;
		found = c;
	}
	return found;
}

/* <qemu:device alias=ours><qemu:frontend><qemu:property master=auto/>,
 * nothing else. */
static bool canonical_override(const xmlNode *dev,
			       const struct pvctl_shmem_id *id)
{
	const char *const alias[] = {"alias", id->alias, NULL};
	static const char *const none[] = {NULL};
	const xmlNode *fe;

	return exactly(dev, alias) &&
	       (fe = only_child(dev, "frontend", none)) &&
	       only_child(fe, "property", master_auto);
}

/* Our <qemu:device> elements (by alias), through every <qemu:override>. */
static size_t our_overrides(xmlNode *root, const struct pvctl_shmem_id *id,
			    xmlNode **found, size_t max)
{
	size_t n = 0;

	for (xmlNode *o = root->children; o; o = o->next) {
		if (!is_el(o, PVCTL_QEMU_NS, "override"))
			continue;
		for (xmlNode *d = o->children; d; d = d->next)
			if (is_el(d, PVCTL_QEMU_NS, "device") &&
			    attr_is(d, "alias", id->alias)) {
				if (n < max)
					found[n] = d;
				n++;
			}
	}
	return n;
}

static bool add_override(xmlNode *root, const struct pvctl_shmem_id *id)
{
	const char *const alias[] = {"alias", id->alias, NULL};
	static const char *const none[] = {NULL};
	xmlNs *q = xmlSearchNsByHref(root->doc, root, X(PVCTL_QEMU_NS));
	xmlNode *o, *d, *fe;

	/* libxml2 keeps a declaration whose prefix is no NCName
	 * (xmlns:q:qemu='...'); elements written with it would not parse
	 * back (fuzz-shmem: tests/fuzz/regress/shmem/qemu-prefix-colon). */
	if (q && q->prefix && xmlStrchr(q->prefix, ':'))
		q = NULL;
	if (!q)
		q = xmlNewNs(root, X(PVCTL_QEMU_NS), X("qemu"));
	if (!q)
		return false;
	o = first(root, PVCTL_QEMU_NS, "override");
	if (!o)
		o = add(root, q, "override", none);
	return o && (d = add(o, q, "device", alias)) &&
	       (fe = add(d, q, "frontend", none)) &&
	       add(fe, q, "property", master_auto);
}

/* Remove our <qemu:device> elements and any <qemu:override> left empty. */
static bool remove_overrides(xmlNode *root, const struct pvctl_shmem_id *id)
{
	xmlNode *o, *d, *next, *dnext;
	bool any = false;

	for (o = root->children; o; o = next) {
		next = o->next;
		if (!is_el(o, PVCTL_QEMU_NS, "override"))
			continue;
		for (d = o->children; d; d = dnext) {
			dnext = d->next;
			if (is_el(d, PVCTL_QEMU_NS, "device") &&
			    attr_is(d, "alias", id->alias)) {
				drop(d);
				any = true;
			}
		}
		if (!xmlFirstElementChild(o))
			drop(o);
	}
	return any;
}

static bool remove_shmem(xmlNode *devices, const struct pvctl_shmem_id *id)
{
	xmlNode *c, *next;
	bool any = false;

	for (c = devices ? devices->children : NULL; c; c = next) {
		next = c->next;
		if (is_el(c, NULL, "shmem") && attr_is(c, "name", id->name)) {
			drop(c);
			any = true;
		}
	}
	return any;
}

/* The maximum vCPU count: <vcpu>N</vcpu>, 1 when absent (libvirt's
 * default). */
static unsigned int max_vcpus(const xmlNode *root)
{
	xmlNode *n = first(root, NULL, "vcpu");
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	unsigned long v = t ? strtoul((const char *)t, NULL, 10) : 1;

	xmlFree(t);
	return v && v <= UINT16_MAX ? (unsigned int)v : 1;
}

static bool domain_uuid(const xmlNode *root, struct pvctl_shmem_id *id)
{
	xmlNode *n = first(root, NULL, "uuid");
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	char uuid[40] = "";
	int r;

	if (t)
		sscanf((const char *)t, " %39s", uuid);
	xmlFree(t);
	r = pvctl_shmem_id(uuid, id);
	return r == 0;
}

/* The pvabi element of <metadata> replaced by @s's. */
static bool put_metadata(xmlNode *root, const struct pvctl_vm_settings *s)
{
	char *text = pvctl_metadata_format(s, true);
	xmlNode *meta = first(root, NULL, "metadata"), *c, *next, *copy;
	xmlDoc *md = NULL;
	bool ok = false;

	if (!text)
		return false;
	if (!meta)
		meta = xmlNewChild(root, NULL, X("metadata"), NULL);
	if (!meta)
		goto out;
	for (c = meta->children; c; c = next) {
		next = c->next;
		if (is_el(c, PVCTL_METADATA_NS, "pvabi"))
			drop(c);
	}
	md = xmlReadMemory(text, (int)strlen(text), NULL, NULL,
			   XML_PARSE_NONET | XML_PARSE_NOERROR |
				   XML_PARSE_NOWARNING);
	copy = md ? xmlDocCopyNode(xmlDocGetRootElement(md), root->doc, 1)
		  : NULL;
	ok = copy && xmlAddChild(meta, copy);
out:
	if (md)
		xmlFreeDoc(md);
	free(text);
	return ok;
}

static char *dump(xmlDoc *doc, xmlNode *n)
{
	xmlBuffer *buf = xmlBufferCreate();
	char *out = NULL;

	if (buf && xmlNodeDump(buf, doc, n, 0, 0) >= 0)
		out = strdup((const char *)xmlBufferContent(buf));
	if (buf)
		xmlBufferFree(buf);
	return out;
}

/* Find ours and the squatters under <devices>. */
static size_t scan(xmlNode *devices, struct pvctl_shmem_result *res,
		   xmlNode **ours, size_t max)
{
	size_t n = 0;

	for (xmlNode *c = devices ? devices->children : NULL; c; c = c->next) {
		xmlNode *server;
		xmlChar *name;

		if (!is_el(c, NULL, "shmem"))
			continue;
		if (attr_is(c, "name", res->id.name)) {
			if (n < max)
				ours[n] = c;
			n++;
			continue;
		}
		server = first(c, NULL, "server");
		if (!server || !attr_is(server, "path", res->id.path))
			continue;
		if (!res->squatters++) {
			name = xmlGetNoNsProp(c, X("name"));
			snprintf(res->squatter, sizeof(res->squatter), "%s",
				 name ? (const char *)name : "");
			xmlFree(name);
		}
	}
	return n;
}

static int ensure(xmlNode *root, xmlNode *devices, xmlNode *mine, bool qemu,
		  struct pvctl_shmem_result *res, char *why, size_t whylen)
{
	xmlNode *dev[2], *n, *addr;

	if (res->squatters)
		return pvabi_why(PVABI_E_POLICY, why, whylen,
				 "shmem device '%s' also uses pvabi's socket "
				 "%s: give it back its name '%s' or remove it "
				 "(a VM has one pvabi device)",
				 res->squatter, res->id.path, res->id.name);
	if (res->ours > 1)
		return pvabi_why(PVABI_E_POLICY, why, whylen,
				 "pvabi's shmem device '%s' appears %u times: "
				 "'pvctl disable' removes them all, then "
				 "'pvctl enable' adds one",
				 res->id.name, res->ours);
	if (!mine || !canonical_shmem(mine, &res->id, res->vectors)) {
		n = new_shmem(&res->id, res->vectors);
		if (!n)
			return PVABI_E_NOMEM;
		if (mine) {
			/* Rewritten where it is, in the PCI slot the guest
			 * knows it by. */
			addr = first(mine, NULL, "address");
			if (addr) {
				xmlUnlinkNode(addr);
				xmlAddChild(n, addr);
			}
			xmlReplaceNode(mine, n);
			xmlFreeNode(mine);
			res->repaired = true;
		} else if (!xmlAddChild(devices, n)) {
			xmlFreeNode(n);
			return PVABI_E_NOMEM;
		}
		res->device_changed = true;
	}
	if (!qemu)
		return 0;
	if (our_overrides(root, &res->id, dev, 2) == 1 &&
	    canonical_override(dev[0], &res->id))
		return 0;
	remove_overrides(root, &res->id);
	res->device_changed = true;
	return add_override(root, &res->id) ? 0 : PVABI_E_NOMEM;
}

int pvctl_shmem_edit(const char *xml, size_t len,
		     const struct pvctl_vm_settings *s,
		     enum pvctl_shmem_want want, char **out,
		     struct pvctl_shmem_result *res, char *why, size_t whylen)
{
	xmlNode *root, *devices, *mine[16], *dev[2];
	bool qemu;
	xmlDoc *doc;
	int err = 0;

	memset(res, 0, sizeof(*res));
	if (out)
		*out = NULL;
	doc = pvctl_xml_read(xml, len, why, whylen);
	if (!doc)
		return PVABI_E_MALFORMED;
	root = xmlDocGetRootElement(doc);
	if (!root || !is_el(root, NULL, "domain") ||
	    !domain_uuid(root, &res->id)) {
		err = pvabi_why(PVABI_E_MALFORMED, why, whylen,
				"not a libvirt domain with a UUID");
		goto out;
	}
	/* Overrides belong to the QEMU driver's namespace; other drivers
	 * (the test driver) drop them. */
	qemu = attr_is(root, "type", "qemu") || attr_is(root, "type", "kvm");
	res->vectors = max_vcpus(root);
	devices = first(root, NULL, "devices");
	res->ours = (unsigned int)scan(devices, res, mine, 16);
	res->canonical =
		res->ours == 1 &&
		canonical_shmem(mine[0], &res->id, res->vectors) &&
		(!qemu || (our_overrides(root, &res->id, dev, 2) == 1 &&
			   canonical_override(dev[0], &res->id)));

	if (want == PVCTL_SHMEM_ENSURE) {
		if (!devices)
			devices = xmlNewChild(root, NULL, X("devices"), NULL);
		err = devices ? ensure(root, devices,
				       res->ours ? mine[0] : NULL, qemu, res,
				       why, whylen)
			      : PVABI_E_NOMEM;
	} else if (want == PVCTL_SHMEM_REMOVE) {
		res->device_changed = remove_shmem(devices, &res->id);
		res->device_changed |= remove_overrides(root, &res->id);
	}
	if (!err && s && !put_metadata(root, s))
		err = PVABI_E_NOMEM;
	if (!err && out && !(*out = dump(doc, root)))
		err = PVABI_E_NOMEM;
out:
	xmlFreeDoc(doc);
	return err;
}

char *pvctl_shmem_device_xml(const struct pvctl_shmem_id *id,
			     unsigned int vectors)
{
	xmlDoc *doc = xmlNewDoc(X("1.0"));
	xmlNode *n = doc ? new_shmem(id, vectors) : NULL;
	char *out = NULL;

	if (n) {
		xmlDocSetRootElement(doc, n);
		out = dump(doc, n);
	}
	if (doc)
		xmlFreeDoc(doc);
	return out;
}
