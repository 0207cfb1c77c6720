/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tiny interface between pvctl's daemon subcommands and pvctld.  The real
 * one speaks D-Bus (client_dbus.c); tests link a fake instead.
 *
 * Every call returns a pvctl exit code (PVCTL_OK, PVCTL_REFUSED, PVCTL_USAGE
 * or PVCTL_UNREACHABLE) and, when it is not PVCTL_OK, leaves one line in
 * client->error and the refusal's machine name in client->error_name (NULL:
 * the one for the exit code).
 */
#ifndef PVCTL_CLIENT_H
#define PVCTL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "bus_open.h"
#include "settings.h"

/* A VM as list() and get() give it.  @patch is malloc'd (a policy's text
 * may take PVCTL_PATCH_TEXT_MAX bytes; at 1000 VMs, arrays of that size
 * cost pvctl list more in page faults than the rest): pvctl_vm_clear(). */
struct pvctl_vm {
	char name[PVCTL_VM_NAME_MAX + 1];
	char uuid[40];
	char state[32];
	bool enabled;
	char versions[32];
	char features[512];
	char *patch;
};

static inline void pvctl_vm_clear(struct pvctl_vm *vm)
{
	free(vm->patch);
	vm->patch = NULL;
}

/* Frees a list() result. */
static inline void pvctl_vm_list_free(struct pvctl_vm *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		pvctl_vm_clear(&v[i]);
	free(v);
}

struct pvctl_host_offer {
	char versions[16 * PVABI_OFFER_MAX_VERSIONS];
	char features[512];
	void *dtb; /* malloc'd */
	size_t dtb_len;
};

/* One vCPU that negotiated with pvabi.ko (GetNegotiated). */
struct pvctl_negotiated {
	unsigned int vcpu;
	unsigned int version; /* (major << 16) | minor */
	unsigned long long features;
};

/* When a change applies, as pvctld answers it: "unchanged", "now",
 * "next-negotiation", "next-boot" or "when-enabled", and why ("" when
 * there is nothing to add). */
struct pvctl_applies {
	char when[32];
	char note[512];
};

struct pvctl_client;

struct pvctl_client_ops {
	int (*list)(struct pvctl_client *cl, struct pvctl_vm **vms, size_t *n);
	int (*get)(struct pvctl_client *cl, const char *vm,
		   struct pvctl_vm *out);
	int (*set_enabled)(struct pvctl_client *cl, const char *vm, bool on);
	int (*set_versions)(struct pvctl_client *cl, const char *vm,
			    const char *range);
	int (*set_features)(struct pvctl_client *cl, const char *vm,
			    const char *features);
	int (*set_patch_policy)(struct pvctl_client *cl, const char *vm,
				const char *policy);
	/* The settings back to the defaults, the metadata not read. */
	int (*reset)(struct pvctl_client *cl, const char *vm);
	int (*get_offer)(struct pvctl_client *cl, struct pvctl_host_offer *out);
	/* @reasons: NULL-terminated, malloc'd, freed by the caller with
	 * pvctl_strv_free(). */
	int (*check_migration)(struct pvctl_client *cl, const char *vm,
			       const void *dtb, size_t len, bool *compatible,
			       char ***reasons);
	void (*close)(struct pvctl_client *cl);
	/* What the VM's vCPUs negotiated, in vCPU order (@out malloc'd, or
	 * NULL when none did).  NULL in a client that cannot tell. */
	int (*get_negotiated)(struct pvctl_client *cl, const char *vm,
			      struct pvctl_negotiated **out, size_t *n);
};

struct pvctl_client {
	const struct pvctl_client_ops *ops;
	char error[512];
	const char *error_name;
	/* What the last change call that succeeded answered. */
	struct pvctl_applies applied;
	/* How long a call may take, in microseconds (0: sd-bus's 25 s). */
	unsigned long long timeout_usec;
};

/* Connect to pvctld on the bus @o names; on failure refuses with
 * PVCTL_UNREACHABLE, "daemon-unavailable". */
int pvctl_client_open(const struct pvctl_bus_opts *o, struct pvctl_client **cl);

void pvctl_strv_free(char **v);

#endif
