/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snapshot.h - save a stopped VM to a file and run it again in another
 * process (pvvm run --save-to FILE / --restore FILE).
 *
 * THE FILE (version 2; pvvm's own parts little-endian, as the x86-64 host
 * that writes it; no padding but what the structs below show)
 *
 *   struct pvvm_snap_header                     once
 *   struct pvvm_snap_vcpu                       nr_vcpus times, in id order
 *   the pvabi migration stream                  pvabi_len bytes
 *   guest RAM                                   ram_size bytes
 *
 * struct pvvm_snap_vcpu carries KVM's own register structs (kvm_regs,
 * kvm_sregs, kvm_vcpu_events: x86 KVM ABI, stable) and where pvvm mapped
 * the pvabi pages.  Everything pvabi defines -- per vCPU the negotiated
 * version and features, the page the delivery machine reads (the guest's
 * magic page once negotiated, else pvvm's private one) and the machine's
 * state (pending vectors in order, deferred and armed flags, the
 * deferral's age, counters) -- is one pvabi migration stream
 * (pvabi/state.h, schemas/migration-stream.md): the format meant to cross
 * hosts and releases, which `pvctl state show` reads.  The notification
 * page holds only the doorbell and is not saved.
 *
 * A VM is saved at a point pvvm chooses (struct pvvm_snap_header.point):
 * inside a critical section, with an interrupt deferred (and, with
 * PVABI_F_NOTIFY, the notification page armed), or after N exits.  pvvm
 * stops only with no interrupt queued inside KVM, completes the exit it
 * stopped at, and then reads state.  A stopped guest cannot leave its
 * critical section, so a deferral ages only until the stop.
 *
 * Reading treats the file as hostile: sizes, counts, versions and page
 * addresses are checked, the pvabi stream by pvabi_state_read() (a refusal
 * names the record and its offset), and every vCPU's delivery state by a
 * trial pvabi_dlv_restore(), before any vCPU is restored: all or none.
 */
#ifndef PVVM_SNAPSHOT_H
#define PVVM_SNAPSHOT_H

#include "vmm.h"

#define PVVM_SNAP_MAGIC	  "PVVMSNAP"
#define PVVM_SNAP_VERSION 2

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
	uint64_t pvabi_len;		 /* bytes of the pvabi stream */
};

struct pvvm_snap_vcpu {
	uint32_t id;
	uint32_t flags; /* PVVM_SNAP_* */
	uint64_t magic_gpa, notify_gpa;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_vcpu_events events;
};

/* What a restored guest must show it took: the vectors pending at the
 * save, each once, in order, from its log's head at the load on. */
struct pvvm_snap_expect {
	uint32_t n_pending[PVVM_MAX_VCPUS];
	uint32_t pending[PVVM_MAX_VCPUS][PVABI_DLV_QUEUE_LEN];
	uint32_t log_head[PVVM_MAX_VCPUS];
	uint32_t interrupts[PVVM_MAX_VCPUS]; /* the guest's count at the save */
	uint64_t forced[PVVM_MAX_VCPUS];
};

/* How it went; pvvm run --restore reports it and fails unless ok. */
struct pvvm_snap_verdict {
	uint32_t pending;     /* vectors pending at the save */
	uint32_t in_order;    /* ... logged first, in order, each once */
	uint32_t in_critical; /* ... taken inside a critical section */
	uint32_t forced;      /* deliveries the deferral bound forced */
	uint32_t doorbell;    /* doorbell stores that trapped here */
	uint32_t counted;     /* interrupts the guest counted since the save */
	bool ok;
};

enum pvvm_snap_point {
	PVVM_SNAP_AT_CRITICAL = 1, /* vCPU 0 inside a critical section */
	PVVM_SNAP_AT_DEFERRED,	   /* ... with an interrupt deferred */
	PVVM_SNAP_AT_EXITS,	   /* after N exits of vCPU 0 */
};

int snapshot__arm_stop(struct vm *vm, const char *point);
int snapshot__save_when_stopped(struct vm *vm, const char *path,
				uint64_t injections);
/* One line into @why; returns -EINVAL: the file (or a part) is refused. */
int snapshot__refuse(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Returns 0, or -EINVAL with the reason in @why: the file is refused. */
int snapshot__check(const uint8_t *buf, size_t size, char *why, size_t len);
/* The same, handing over the pvabi state (pvabi_state_free() it). */
int snapshot__check_state(const uint8_t *buf, size_t size,
			  struct pvabi_state *st, char *why, size_t len);
int snapshot__load(const char *path, struct vm *vm, struct vm_config *cfg,
		   struct pvvm_snap_expect *exp, char *why, size_t len);
/* After the restored guest ran: did it take what was pending at the save,
 * in order, outside its critical sections (unless the bound forced one)? */
void snapshot__verify(struct vm *vm, const struct pvvm_snap_expect *exp,
		      struct pvvm_snap_verdict *v);

#endif /* PVVM_SNAPSHOT_H */
