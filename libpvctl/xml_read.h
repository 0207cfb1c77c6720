/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libpvctl's own: untrusted XML into a libxml2 document. */
#ifndef PVCTL_XML_READ_H
#define PVCTL_XML_READ_H

#include <stddef.h>

#include <libxml/tree.h>

/*
 * pvctl_xml_read - parse XML from whoever may edit a domain
 * Refuses more than PVCTL_DOMAIN_XML_MAX bytes before parsing, and a
 * DOCTYPE after (an internal subset can declare entities that expand;
 * libvirt never writes one), and a prefix no xmlns declares.  No network, no
 * entity expansion, nothing on stderr.  Returns the document to xmlFreeDoc(),
 * or NULL with @why saying what was wrong (PVABI_E_MALFORMED).
 */
xmlDoc *pvctl_xml_read(const char *xml, size_t len, char *why, size_t whylen);

#endif
