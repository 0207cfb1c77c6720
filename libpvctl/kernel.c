// SPDX-License-Identifier: GPL-2.0-or-later
/* A VM's direct-boot kernel under patch policy "host" (kernel.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

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

static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t ror(uint32_t x, unsigned int n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(uint32_t h[8], const unsigned char *b)
{
	uint32_t w[64], v[8], t1, t2;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		       (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	for (int i = 16; i < 64; i++)
		w[i] = w[i - 16] +
		       (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^
			(w[i - 15] >> 3)) +
		       w[i - 7] +
		       (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^
			(w[i - 2] >> 10));
	memcpy(v, h, sizeof(v));
	for (int i = 0; i < 64; i++) {
		t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + k256[i] + w[i];
		t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

void pvctl_sha256_hex(const void *data, size_t len, char hex[65])
{
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const unsigned char *p = data;
	unsigned char tail[128] = {0};
	size_t full = len & ~(size_t)63, rest = len - full, n;
	uint64_t bits = (uint64_t)len * 8;

	for (size_t i = 0; i < full; i += 64)
		sha256_block(h, p + i);
	if (rest)
		memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	n = rest < 56 ? 64 : 128;
	for (int i = 0; i < 8; i++)
		tail[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha256_block(h, tail);
	if (n == 128)
		sha256_block(h, tail + 64);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 8 * i, 9, "%08x", h[i]);
}
