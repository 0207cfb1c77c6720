// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD into pvctld: virDomainSetMetadata fails for the halves a test
 * names, and every call is logged, so that a test can make libvirt refuse
 * the live half of a change after the persistent half took.
 *
 * PVABI_FAIL_METADATA: a file holding "live", "config", "live-then-config"
 * (the live half fails, and so does every persistent half after it) or
 * nothing, re-read at every call.  PVABI_FAIL_METADATA_LOG: a file each call
 * appends a line to: "config|live set|remove ok|fail".
 *
 * virDomainDefineXML, which writes a whole persistent definition (pvabi's
 * device with the metadata), is a persistent half too: it fails as
 * "config" does and logs "config define ok|fail".
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>

typedef int (*set_fn)(virDomainPtr, int, const char *, const char *,
		      const char *, unsigned int);
typedef virDomainPtr (*define_fn)(virConnectPtr, const char *);

static bool live_failed;

static bool fails(unsigned int flags)
{
	const char *path = getenv("PVABI_FAIL_METADATA");
	char what[32] = "";
	bool then_config;
	FILE *f = path ? fopen(path, "r") : NULL;

	if (!f)
		return false;
	if (!fgets(what, sizeof(what), f))
		what[0] = '\0';
	fclose(f);
	then_config = !strncmp(what, "live-then-config", 16);
	if (!then_config)
		live_failed = false;
	if (!strncmp(what, "live", 4) && (flags & VIR_DOMAIN_AFFECT_LIVE))
		return live_failed = then_config, true;
	if (then_config && live_failed)
		return true;
	return !strncmp(what, "config", 6) &&
	       (flags & VIR_DOMAIN_AFFECT_CONFIG);
}

int virDomainSetMetadata(virDomainPtr dom, int type, const char *metadata,
			 const char *key, const char *uri, unsigned int flags)
{
	static set_fn real;
	const char *log = getenv("PVABI_FAIL_METADATA_LOG");
	bool fail = fails(flags);
	int r = -1;
	FILE *f;

	if (!real)
		real = (set_fn)dlsym(RTLD_NEXT, "virDomainSetMetadata");
	if (!fail)
		r = real(dom, type, metadata, key, uri, flags);
	if (log && (f = fopen(log, "a"))) {
		fprintf(f, "%s%s %s %s\n",
			flags & VIR_DOMAIN_AFFECT_CONFIG ? "config" : "",
			flags & VIR_DOMAIN_AFFECT_LIVE ? "live" : "",
			metadata ? "set" : "remove", r < 0 ? "fail" : "ok");
		fclose(f);
	}
	return r;
}

virDomainPtr virDomainDefineXML(virConnectPtr conn, const char *xml)
{
	static define_fn real;
	const char *log = getenv("PVABI_FAIL_METADATA_LOG");
	virDomainPtr d = NULL;
	FILE *f;

	if (!real)
		real = (define_fn)dlsym(RTLD_NEXT, "virDomainDefineXML");
	if (!fails(VIR_DOMAIN_AFFECT_CONFIG))
		d = real(conn, xml);
	if (log && (f = fopen(log, "a"))) {
		fprintf(f, "config define %s\n", d ? "ok" : "fail");
		fclose(f);
	}
	return d;
}
