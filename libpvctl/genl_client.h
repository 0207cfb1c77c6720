/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * genl_client: the user-space side of the "pvabi" generic netlink family
 * (kmod/uapi/linux/pvabi.h), on libnl-genl.  Used by pvctl and pvctld.
 *
 * Every function returns 0 or a negative errno: -ENOENT from
 * pvctl_genl_open() means the family is not registered (module not
 * loaded); otherwise the kernel's own error, with its extended-ack message
 * in pvctl_genl_errmsg().
 */
#ifndef PVCTL_GENL_CLIENT_H
#define PVCTL_GENL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pvabi.h>

#include "pvabi/negotiate.h"

struct nl_msg;
struct nlmsghdr;
struct pvctl_genl;

/* Policy members; present is a mask of 1 << PVABI_POLICY_A_*. */
struct pvctl_genl_policy {
	uint32_t present;
	uint32_t min_version; /* (major << 16) | minor */
	uint32_t max_version;
	uint64_t features;
	uint32_t patch_mode; /* enum pvabi_nl_patch_mode */
	uint32_t defer_us;
	uint32_t enabled; /* 0: negotiation refused */
};

struct pvctl_genl_vcpu {
	uint32_t index;
	uint32_t version; /* 0: not negotiated */
	uint64_t features;
	struct pvabi_vcpu_stats stats;
};

struct pvctl_genl_vm {
	uint32_t id;
	char name[PVABI_VM_NAME_MAX]; /* "" when absent */
	bool has_uuid;
	uint8_t uuid[PVABI_UUID_LEN];
	struct pvctl_genl_policy policy;
	bool policy_pushed; /* a policy reached the VM (fail closed) */
	uint32_t n_vcpus;
	struct pvctl_genl_vcpu vcpus[PVABI_MAX_VCPUS];
};

/* Called once per VM (a VM split over several messages is merged). */
typedef int (*pvctl_genl_vm_fn)(const struct pvctl_genl_vm *vm, void *arg);

/** Connect and resolve the family.  -ENOENT: the module is not loaded. */
int pvctl_genl_open(struct pvctl_genl **out);
void pvctl_genl_close(struct pvctl_genl *g);
/** The kernel's extended-ack message for the last error, or "". */
const char *pvctl_genl_errmsg(const struct pvctl_genl *g);

/** PVABI_CMD_GET_VMS; @only 0 for every VM.  @fn's non-zero return stops
 * the walk and is returned. */
int pvctl_genl_dump(struct pvctl_genl *g, uint32_t only, pvctl_genl_vm_fn fn,
		    void *arg);
/** PVABI_CMD_SET_POLICY with the members in @pol->present. */
int pvctl_genl_set_policy(struct pvctl_genl *g, uint32_t vm_id, uint32_t flags,
			  const struct pvctl_genl_policy *pol);
/** The same for the VM with this UUID (-ENOENT: the module has none). */
int pvctl_genl_set_policy_uuid(struct pvctl_genl *g,
			       const uint8_t uuid[PVABI_UUID_LEN],
			       uint32_t flags,
			       const struct pvctl_genl_policy *pol);
/** PVABI_CMD_INJECT of @vector (coalesced injections succeed too). */
int pvctl_genl_inject(struct pvctl_genl *g, uint32_t vm_id, uint32_t vcpu,
		      uint32_t vector);

/** A new request for @cmd of the family, for callers that build their own
 * (tests that send malformed messages). */
struct nl_msg *pvctl_genl_msg(struct pvctl_genl *g, uint8_t cmd, int flags);
/** Send @msg (freed) and wait for the kernel's answer. */
int pvctl_genl_request(struct pvctl_genl *g, struct nl_msg *msg);
/** PVABI_CMD_SET_OFFER: the host's offer (versions and features only; its
 * floor is not sent). */
int pvctl_genl_set_offer(struct pvctl_genl *g, const struct pvabi_offer *offer);
/** PVABI_CMD_GET_OFFER: the host's offer and its PVABI_HOST_F_* flags. */
int pvctl_genl_get_offer(struct pvctl_genl *g, struct pvabi_offer *offer,
			 uint32_t *flags);

/* One PVABI_CMD_EVENT message. */
struct pvctl_genl_event {
	uint32_t event; /* enum pvabi_event; others may come: ignore them */
	uint32_t vm_id;
	int64_t vcpu; /* -1 for VM events */
	/* PVABI_EVENT_VM_CREATED: */
	char name[PVABI_VM_NAME_MAX]; /* "" when absent */
	bool has_uuid;
	uint8_t uuid[PVABI_UUID_LEN];
	/* PVABI_EVENT_VCPU_NEGOTIATED: version 0 when absent */
	uint32_t version;
	uint64_t features;
};

typedef int (*pvctl_genl_event_fn)(const struct pvctl_genl_event *ev,
				   void *arg);

/** Subscribe to the "events" group; then pvctl_genl_next_event() blocks
 * for the next event.  Use a handle of its own for events: requests on a
 * subscribed handle skip the events that arrive meanwhile.  -EPERM without
 * CAP_NET_ADMIN. */
int pvctl_genl_subscribe(struct pvctl_genl *g);
int pvctl_genl_next_event(struct pvctl_genl *g, uint32_t *event,
			  uint32_t *vm_id, int64_t *vcpu);
/** The socket's fd, to watch for events in a main loop. */
int pvctl_genl_fd(const struct pvctl_genl *g);
/**
 * pvctl_genl_read_events - the events waiting on a subscribed handle
 * Reads without blocking and calls @fn for each well-formed event (a
 * malformed one is skipped and counted in *@bad, if not NULL).  Returns 0
 * when nothing more waits, -ENOBUFS when the kernel dropped events (the
 * caller dumps to catch up), @fn's non-zero return, or another negative
 * errno.
 */
int pvctl_genl_read_events(struct pvctl_genl *g, pvctl_genl_event_fn fn,
			   void *arg, unsigned int *bad);

/**
 * pvctl_genl_parse_vm - parse one PVABI_CMD_GET_VMS reply
 * @nlh: the message, @len bytes in all (untrusted)
 * @vm: filled in; vCPUs are appended after @vm->n_vcpus
 *
 * Strict, as the uapi header describes the reply: an attribute that is not
 * listed, repeated or of the wrong size, bytes after the last attribute, a
 * missing VM id (or 0), policy, vCPU list, policy member, vCPU attribute
 * or counter, a name that is not printable ASCII with its NUL, a vCPU
 * index out of range or not above the one before it (across the messages
 * of one VM) are all refused.
 * Returns 0 or -EINVAL (malformed, or too many vCPUs).
 */
int pvctl_genl_parse_vm(const struct nlmsghdr *nlh, size_t len,
			struct pvctl_genl_vm *vm);

/**
 * pvctl_genl_parse_event - parse one PVABI_CMD_EVENT message
 * @nlh: the message, @len bytes in all (untrusted)
 * @ev: filled in
 *
 * As strict as pvctl_genl_parse_vm(): the event and VM id (not 0) are
 * required; a vCPU index below PVABI_MAX_VCPUS; a name and UUID only with
 * PVABI_EVENT_VM_CREATED; a version (major not 0) and features only
 * together, with PVABI_EVENT_VCPU_NEGOTIATED and its vCPU.
 * Returns 0 or -EINVAL.
 */
int pvctl_genl_parse_event(const struct nlmsghdr *nlh, size_t len,
			   struct pvctl_genl_event *ev);

/**
 * pvctl_genl_parse_offer - parse the PVABI_CMD_GET_OFFER reply
 * Strict: the offer nest with 1 ... PVABI_OFFER_MAX_VERSIONS versions that
 * pass pvabi_offer_check(), its features, and the flags (no bit outside
 * __PVABI_HOST_F_ALL).  Returns 0 or -EINVAL.
 */
int pvctl_genl_parse_offer(const struct nlmsghdr *nlh, size_t len,
			   struct pvabi_offer *offer, uint32_t *flags);

#endif
