/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot.h - save a stopped VM to a file and run it again in another
 * process (pvvm run --save-to FILE / --restore FILE).
 *
 * THE FILE (version 1; every integer little-endian, as the x86-64 host
 * that writes it; no padding but what the structs below show)
 *
 *   struct pvvm_snap_header                     once
 *   struct pvvm_snap_vcpu                       nr_vcpus times, in id order
 *   guest RAM                                   ram_size bytes
 *
 * struct pvvm_snap_vcpu carries KVM's own register structs (kvm_regs,
 * kvm_sregs, kvm_vcpu_events: x86 KVM ABI, stable), the pvabi state -- the
 * negotiated version and features, where the pages are, the delivery
 * machine's struct pvabi_dlv_state (pvabi/delivery.h: pending vectors in
 * order, deferred and armed flags, the deferral's age, counters) -- and
 * the page the machine reads: the guest's magic page once negotiated, else
 * pvvm's private one.  The notification page holds only the doorbell and
 * is not saved.
 *
 * A VM is saved at a point pvvm chooses (struct pvvm_snap_header.point):
 * inside a critical section, with an interrupt deferred (and, with
 * PVABI_F_NOTIFY, the notification page armed), or after N exits.  pvvm
 * stops only with no interrupt queued inside KVM, completes the exit it
 * stopped at, and then reads state.
 *
 * Reading treats the file as hostile: sizes, counts, versions, page
 * addresses and the machine's state are checked (pvabi_dlv_restore()
 * validates its part) before anything is used; a bad file is refused with
 * a one-line reason.  The migration stream (pvctl state) wraps the pvabi
 * part of this in its own records.
 */
#ifndef PVVM_SNAPSHOT_H
#define PVVM_SNAPSHOT_H

#include "pvvm.h"

#define PVVM_SNAP_MAGIC	  "PVVMSNAP"
#define PVVM_SNAP_VERSION 1

/* struct pvvm_snap_vcpu.flags */
#define PVVM_SNAP_PV	 (1u << 0) /* negotiated: magic page mapped */
#define PVVM_SNAP_NOTIFY (1u << 1) /* ... and the notification page */
#define PVVM_SNAP_DONE	 (1u << 2) /* the guest had finished on this vCPU */
#define PVVM_SNAP_ALL	 (PVVM_SNAP_PV | PVVM_SNAP_NOTIFY | PVVM_SNAP_DONE)

struct pvvm_snap_header {
	char magic[8];		  /* PVVM_SNAP_MAGIC, no NUL */
	uint32_t version;	  /* PVVM_SNAP_VERSION */
	uint32_t nr_vcpus;	  /* 1..PVVM_MAX_VCPUS */
	uint64_t ram_size;	  /* PVVM_RAM_SIZE */
	uint32_t vcpu_size;	  /* sizeof(struct pvvm_snap_vcpu) */
	uint32_t point;		  /* enum pvvm_snap_point it was taken at */
	struct pvabi_offer offer; /* the host's offer to the guest */
	struct pvabi_dlv_config dlv_cfg; /* the delivery machine's bounds */
	uint32_t arm;			 /* enum pvvm_arm_mode */
	uint32_t reserved;		 /* zero */
};

struct pvvm_snap_vcpu {
	uint32_t id;
	uint32_t flags; /* PVVM_SNAP_* */
	uint64_t magic_gpa, notify_gpa;
	struct pvabi_version version; /* negotiated */
	uint32_t reserved;	      /* zero */
	uint64_t features;	      /* negotiated */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_vcpu_events events;
	struct pvabi_dlv_state dlv;
	uint8_t page[PVABI_PAGE_SIZE]; /* the page the machine reads */
};

enum pvvm_snap_point {
	PVVM_SNAP_AT_CRITICAL = 1, /* vCPU 0 inside a critical section */
	PVVM_SNAP_AT_DEFERRED,	   /* ... with an interrupt deferred */
	PVVM_SNAP_AT_EXITS,	   /* after N exits of vCPU 0 */
};

int snapshot__arm_stop(struct vm *vm, const char *point);
int snapshot__save_when_stopped(struct vm *vm, const char *path,
				uint64_t injections);
/* Returns 0, or -EINVAL with the reason in @why: the file is refused. */
int snapshot__check(const uint8_t *buf, size_t size, char *why, size_t len);
int snapshot__load(const char *path, struct vm *vm, struct vm_config *cfg,
		   char *why, size_t len);

#endif /* PVVM_SNAPSHOT_H */
