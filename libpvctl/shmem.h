/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device an enabled VM carries in its libvirt definition (libxml2): the
 * ivshmem-doorbell through which stock QEMU reaches pvabi.ko, served on
 * /run/pvabi/<uuid>.sock, one MSI-X vector per possible vCPU:
 *
 *   <shmem name='pvabi-<uuid without dashes>' role='master'>
 *     <model type='ivshmem-doorbell'/>
 *     <server path='/run/pvabi/<uuid>.sock'/>
 *     <msi vectors='<maximum vCPUs>' ioeventfd='on'/>
 *     <alias name='ua-pvabi-<uuid without dashes>'/>
 *   </shmem>
 *
 * and, in a qemu or kvm domain, QEMU's "master" property through the user
 * alias: libvirt 9.0 keeps role='master' (its save and migration check
 * refuses a shmem without it) but hands QEMU no "master" for the doorbell
 * model:
 *
 *   <qemu:override>
 *     <qemu:device alias='ua-pvabi-<uuid without dashes>'>
 *       <qemu:frontend>
 *         <qemu:property name='master' type='string' value='auto'/>
 *       </qemu:frontend>
 *     </qemu:device>
 *   </qemu:override>
 *
 * QEMU's ivshmem "master" is on/off/auto, not a bool (type='bool' would
 * hand QEMU a JSON true, which it refuses).  Only a master's region
 * migrates; a peer without it carries a migration blocker.  And QEMU
 * refuses master=on unless the server gave it peer ID 0 ("master must
 * connect to the server before any peers").  pvabi's server gives every
 * QEMU ID 0 and pvabi.ko ID 1 (ivshmem_proto.h), so auto, which is master
 * exactly when QEMU is peer 0, is on with it, and a domain whose socket is
 * served by something else still starts.
 */
#ifndef PVCTL_SHMEM_H
#define PVCTL_SHMEM_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

#define PVCTL_SHMEM_DIR	     "/run/pvabi"
#define PVCTL_QEMU_NS	     "http://libvirt.org/schemas/domain/qemu/1.0"
#define PVCTL_SHMEM_NAME_MAX 64
#define PVCTL_SHMEM_PATH_MAX 108 /* sun_path */

/* The names of one VM's device, from its UUID. */
struct pvctl_shmem_id {
	char name[PVCTL_SHMEM_NAME_MAX];  /* pvabi-<32 hex digits> */
	char alias[PVCTL_SHMEM_NAME_MAX]; /* ua-pvabi-<32 hex digits> */
	char path[PVCTL_SHMEM_PATH_MAX];  /* /run/pvabi/<uuid>.sock */
};

/* What to do with the device. */
enum pvctl_shmem_want {
	PVCTL_SHMEM_LEAVE,  /* nothing: read what is there */
	PVCTL_SHMEM_ENSURE, /* exactly one, canonical (a hand-edited one of
			       ours is rewritten in place, its PCI address
			       kept) */
	PVCTL_SHMEM_REMOVE, /* every <shmem> with our name and every
			       <qemu:device> with our alias, nothing else */
};

struct pvctl_shmem_result {
	struct pvctl_shmem_id id;
	unsigned int vectors;	/* the domain's maximum vCPU count */
	unsigned int ours;	/* <shmem> elements with our name, before */
	bool canonical;		/* exactly one of ours, as it should be */
	bool device_changed;	/* the device or its override was edited */
	bool repaired;		/* an edited device of ours was rewritten */
	unsigned int squatters; /* other <shmem> on our server path */
	char squatter[PVCTL_SHMEM_NAME_MAX]; /* the first one's name */
};

/* @uuid: "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".  Returns 0, or
 * PVABI_E_INVAL when it is not a UUID in that form. */
int pvctl_shmem_id(const char *uuid, struct pvctl_shmem_id *id);

/*
 * pvctl_shmem_edit - edit a libvirt <domain> document
 * @xml, @len: the domain, as virDomainGetXMLDesc() returns it
 * @s: when not NULL, written as the pvabi metadata (replacing any there)
 * @want: what to do with the device
 * @out: when not NULL, the edited document, to free()
 * @res: what was found and done
 *
 * PVCTL_SHMEM_ENSURE refuses, with PVABI_E_POLICY and @why saying what to
 * do about it, a domain where another <shmem> uses our server path (two
 * ivshmem clients of one VM on one socket) or where our name appears more
 * than once.  PVCTL_SHMEM_REMOVE never refuses: taking pvabi away must
 * always be possible.  Returns 0, PVABI_E_POLICY, PVABI_E_MALFORMED (not a
 * domain, no UUID) or PVABI_E_NOMEM.
 */
int pvctl_shmem_edit(const char *xml, size_t len,
		     const struct pvctl_vm_settings *s,
		     enum pvctl_shmem_want want, char **out,
		     struct pvctl_shmem_result *res, char *why, size_t whylen);

/* The <shmem> element alone for @id and @vectors, for
 * virDomainAttachDeviceFlags().  NULL when out of memory; free() it. */
char *pvctl_shmem_device_xml(const struct pvctl_shmem_id *id,
			     unsigned int vectors);

#endif
