/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvabi.ko internals: VM and vCPU contexts shared by the character device,
 * the delivery path and the generic netlink family.
 */
#ifndef PVABI_MOD_H
#define PVABI_MOD_H

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <uapi/linux/pvabi.h>

#include "pvabi/abi.h"
#include "pvabi/access.h"
#include "pvabi/delivery.h"
#include "pvabi/negotiate.h"

/*
 * The features this module implements: 1.0's and PVABI_F_NESTING, which
 * region mode's memory-only predicate needs (keeping it to the versions
 * that define it is libpvabi's negotiation's part).
 */
#define PVABI_KMOD_FEATURES PVABI_F_ALL_1_1

/* What the administrator allows a VM (set over netlink). */
struct pvabi_policy {
	struct pvabi_version min, max;
	u64 features;
	u32 patch_mode;		/* enum pvabi_nl_patch_mode */
	u32 defer_us;
	bool enabled;		/* 0: every negotiation is refused */
};

struct pvabi_vm {
	struct kref ref;	/* the VM fd, each vCPU, netlink users */
	u32 id;
	bool live;		/* under vms_lock: lookups find it */
	kuid_t owner;		/* the creator's euid, for max_vms_per_user */
	char name[PVABI_VM_NAME_MAX];
	u8 uuid[PVABI_UUID_LEN];
	bool has_uuid;
	struct mutex lock;	/* policy, vcpus[] */
	struct pvabi_policy policy;
	bool policy_pushed;	/* PVABI_CMD_SET_POLICY reached it */
	struct pvabi_vcpu *vcpus[PVABI_MAX_VCPUS];
	struct pvabi_region *region;	/* PVABI_VM_REGION's, or NULL */
};

/* PVABI_VM_REGION: the shared region a VMM maps (region mode). */
struct pvabi_region {
	struct pvabi_vm *vm;	/* a reference */
	u32 n_vcpus;
	u64 size;
	u32 doorbell_id;	/* the ivshmem peer ID the guest rings */
	struct file *file;	/* no reference: PVABI_VM_REGION_F_REOPEN */
	bool live;		/* under vm->lock: every vCPU is there */
	struct mutex lock;	/* PVABI_VM_SET_VCPU_FDS */
	struct page *ctl;	/* the control page */
	struct page *pad;	/* what the pages past the last vCPU map */
	struct pvabi_vcpu *vcpus[PVABI_MAX_VCPUS];	/* references */
};

struct pvabi_vcpu {
	struct kref ref;	/* the vCPU fd, netlink users */
	struct pvabi_vm *vm;
	u32 index;
	struct page *magic;
	struct page *notify;

	struct mutex lock;	/* everything below */
	bool dead;		/* the fd is closed: no more zaps or timers */
	/*
	 * The vCPU file's own address_space (set at the first mmap):
	 * zapping the notification page here unmaps it from every process
	 * that maps it.
	 */
	struct address_space *mapping;
	loff_t notify_off;	/* the notification page's offset in it */
	struct pvabi_dlv_regs regs;	/* from PVABI_VCPU_SET_REGS */
	bool negotiated;
	enum pvabi_byte_order bo;
	u32 version;
	u64 features;
	struct pvabi_dlv dlv;	/* libpvabi's delivery state machine */
	bool zapped;		/* notification page unmapped, not yet faulted */
	u64 zaps;
	u64 forced_reported;	/* forced deliveries told to the events group */
	struct eventfd_ctx *efd;
	struct file *efd_file;	/* region mode: efd's, for GET_VCPU_FDS */
	struct pid *sig_pid;
	int signo;
	/* Who asked for the signal, checked at each delivery as F_SETOWN's
	 * owner is (sigio_perm()).
	 */
	kuid_t sig_uid, sig_euid;
	struct hrtimer bound;
	struct work_struct tick_work;

	/* Region mode only (region != NULL; dereferenced only while !dead). */
	struct pvabi_region *region;
	struct pvabi_region_slot *slot;	/* in the control page */
	u32 req_seen;		/* the last req_seq handled */
	bool posted;		/* a post the guest has not acknowledged */
	bool post_armed;	/* the page is unmapped for a declined post */
	u16 post_seq;
	u32 post_vector;	/* the outstanding post's, written again */
	struct eventfd_ctx *db_ctx;	/* doorbell_fd's */
	struct file *db_file;	/* its file, for PVABI_VM_GET_VCPU_FDS */
	wait_queue_entry_t db_wait;
	poll_table db_pt;
	struct work_struct exit_work;	/* a doorbell ring */
	struct work_struct rezap_work;	/* arm again after a completed store */
};

/* vm.c */
int pvabi_vm_create(const struct pvabi_create_vm *req,
		    struct pvabi_create_vm __user *ureq);
int pvabi_vm_open(struct pvabi_open_vm __user *ureq);
struct pvabi_vm *pvabi_vm_get(u32 id);
struct pvabi_vm *pvabi_vm_get_by_uuid(const u8 *uuid);
void pvabi_vm_put(struct pvabi_vm *vm);
struct pvabi_vcpu *pvabi_vm_get_vcpu(struct pvabi_vm *vm, u32 index);
int pvabi_vm_for_each(u32 from, int (*fn)(struct pvabi_vm *vm, void *arg),
		      void *arg);
void pvabi_policy_default(struct pvabi_policy *pol);
int pvabi_vm_offer(struct pvabi_vm *vm, struct pvabi_offer *offer,
		   u32 *defer_us);
int pvabi_vm_may_negotiate(struct pvabi_vm *vm);
bool pvabi_standalone(void);
bool pvabi_host_offer(struct pvabi_offer *offer);
void pvabi_host_set_offer(const struct pvabi_offer *offer);
void pvabi_vms_exit(void);

/* vcpu.c */
int pvabi_vcpu_create(struct pvabi_vm *vm, unsigned long index);
struct pvabi_vcpu *pvabi_vcpu_new(struct pvabi_vm *vm, u32 index);
void pvabi_vcpu_kill(struct pvabi_vcpu *v);
int pvabi_vcpu_start(struct pvabi_vcpu *v, enum pvabi_byte_order bo,
		     const struct pvabi_result *res,
		     const struct pvabi_request *req, u32 defer_us);
void pvabi_vcpu_put(struct pvabi_vcpu *v);
void pvabi_vcpu_stats(struct pvabi_vcpu *v, struct pvabi_vcpu_stats *st,
		      u32 *version, u64 *features);

/* deliver.c */
int pvabi_delivery_start(struct pvabi_vcpu *v, u32 defer_us);
int pvabi_inject(struct pvabi_vcpu *v, u32 vector);
int pvabi_kick(struct pvabi_vcpu *v);
bool pvabi_notify_trap(struct pvabi_vcpu *v);
void pvabi_zap(struct pvabi_vcpu *v);
void pvabi_perform(struct pvabi_vcpu *v, struct pvabi_dlv_action act);
void pvabi_delivery_stats(struct pvabi_vcpu *v, struct pvabi_vcpu_stats *st);
void pvabi_delivery_init(struct pvabi_vcpu *v);
void pvabi_delivery_stop(struct pvabi_vcpu *v);

/* region.c */
int pvabi_region_init(void);
void pvabi_region_exit(void);
int pvabi_region_create(struct pvabi_vm *vm, struct pvabi_vm_region __user *u);
int pvabi_region_set_fds(struct pvabi_vm *vm,
			 const struct pvabi_vm_vcpu_fds __user *u);
int pvabi_region_get_fds(struct pvabi_vm *vm,
			 struct pvabi_vm_vcpu_fds __user *u);
void pvabi_region_revoke(struct pvabi_vm *vm);
void pvabi_region_offer_changed(struct pvabi_vm *vm);
void pvabi_region_post(struct pvabi_vcpu *v, u32 vector);
bool pvabi_region_acked(struct pvabi_vcpu *v);

/* netlink.c */
int pvabi_genl_init(void);
void pvabi_genl_exit(void);
void pvabi_genl_event(u32 event, u32 vm_id, s64 vcpu);

#endif /* PVABI_MOD_H */
