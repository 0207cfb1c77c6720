/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A VM's pvabi settings as libvirt domain metadata (libxml2), under pvabi's
 * own namespace; schemas/libvirt-metadata.rng is the contract:
 *
 *   <pvabi:pvabi xmlns:pvabi="https://pvabi.org/xmlns/libvirt/pvabi/1"
 *                enabled="yes">
 *     <pvabi:versions min="1.0" max="1.0"/>
 *     <pvabi:features>notify,booke</pvabi:features>
 *     <pvabi:patch mode="guest" classes="all" max-sites="unlimited">
 *       <pvabi:exclude start="0x1000" end="0x2000"/>
 *     </pvabi:patch>
 *   </pvabi:pvabi>
 */
#ifndef PVCTL_METADATA_H
#define PVCTL_METADATA_H

#include "settings.h"

#define PVCTL_METADATA_NS     "https://pvabi.org/xmlns/libvirt/pvabi/1"
#define PVCTL_METADATA_PREFIX "pvabi"
/* Bigger input is refused before it reaches the XML parser. */
#define PVCTL_METADATA_MAX   (1u << 16)
#define PVCTL_DOMAIN_XML_MAX (16u << 20)

/*
 * pvctl_metadata_parse - read settings from untrusted XML
 * @xml, @len: the element alone, either in no namespace (what
 *             virDomainGetMetadata returns) or in pvabi's, or a whole <domain>
 *             document (what a libvirt hook reads on stdin)
 * @s: in: the defaults; out: with what the element sets (unchanged on error)
 *
 * An element, attribute or text that schemas/libvirt-metadata.rng does not
 * allow is refused, and so is a DOCTYPE (entities are never expanded).
 * Returns 0, PVABI_E_NOTFOUND (a domain without pvabi metadata), or
 * PVABI_E_MALFORMED / PVABI_E_BADVERSION / PVABI_E_INVAL with @why saying
 * what was wrong.
 */
int pvctl_metadata_parse(const char *xml, size_t len,
			 struct pvctl_vm_settings *s, char *why, size_t whylen);

/*
 * pvctl_metadata_format - the element for @s
 * @with_ns: false for virDomainSetMetadata, which puts every element into
 *           the namespace it is given itself (and refuses one already
 *           there); true for the stored form, as virDomainGetMetadata
 *           returns it
 * Returns a string to free(), or NULL when out of memory.
 */
char *pvctl_metadata_format(const struct pvctl_vm_settings *s, bool with_ns);

#endif
