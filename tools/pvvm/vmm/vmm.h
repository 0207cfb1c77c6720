/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmm.h - pvvm's VMM core: a small KVM monitor whose guests use the pvabi
 * magic page.  The commands (../pvvm.c, ../session.c, ../cmd_*.c) drive it;
 * nothing here includes theirs (cmd.h).  Its contract with the guest is
 * ../guest/boot.h.
 *
 * One file per concern, kvmtool style:
 *   kvm.c          /dev/kvm, the capability table
 *   vm.c           the VM, its memory slots, the guest image and boot block
 *   vcpu.c         vCPU threads, KVM_RUN, kicks, exit dispatch
 *   ioport.c       port I/O: console, hypercalls, the machine-state register
 *   hcall.c        pvabi hypercalls (discovery, negotiation)
 *   pvpage.c       the magic and notification pages as memory slots
 *   irq.c          the user-space interrupt controller: pvabi's delivery
 *                  state machine (pvabi/delivery.h), KVM_INTERRUPT,
 *                  windows, timer
 *   inject.c       the injector: random times, bookkeeping, latency
 *                  (inject.h)
 *   inject_log.c   ... its reader of a guest's interrupt log
 *   snapshot.c     stop, save and restore a VM (snapshot.h)
 *   snapshot_check.c  ... the check of a snapshot file, before any use
 */
#ifndef PVVM_VMM_H
#define PVVM_VMM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pvabi/pvabi.h>
#include <pvabi/delivery.h>

#include "clock.h" /* now_ns() */
#include "guest/boot.h"

#define PVVM_SLOT_RAM	    0
#define PVVM_SLOT_MAGIC(i)  (1 + 2 * (i))
#define PVVM_SLOT_NOTIFY(i) (2 + 2 * (i))
#define PVVM_NR_SLOTS	    (1 + 2 * PVVM_MAX_VCPUS)

/* How arming takes the notification page away from the guest. */
enum pvvm_arm_mode {
	PVVM_ARM_SLOT,	   /* delete the memory slot: the store is MMIO */
	PVVM_ARM_READONLY, /* re-add it with KVM_MEM_READONLY */
};

struct vm_slot {
	uint32_t id;
	uint32_t flags; /* KVM_MEM_* it is registered with */
	uint64_t gpa;
	uint64_t size;
	void *hva;
	bool present; /* registered with KVM now */
};

struct vcpu_stats {
	uint64_t exits, io, mmio, hlt, window, intr, hcalls, vmsr;
	uint64_t arms, disarms, delivered, notify_mmio, unknown;
	uint64_t hcall_errors; /* hypercalls answered with an error */
	uint64_t unassigned;   /* MMIO exits outside every pvabi page */
};

struct vm;

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool running; /* the thread exists */
	bool done;    /* the guest wrote PVVM_PORT_EXIT */
	uint32_t exit_status;
	int error; /* the thread failed: negative errno */

	/* Guarded by lock: the delivery machine and what feeds it. */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool kicked;
	bool halted;
	bool paused; /* parked for a snapshot */
	/* The guest stopped running at stopped_ns (a snapshot's deferral age
	 * is taken then); a restored machine's clock stands still from
	 * restored_ns until the vCPU runs (irq__resume), 0 = not restored. */
	uint64_t stopped_ns, restored_ns;
	struct pvabi_dlv dlv;
	uint64_t deadline_ns; /* PVABI_DLV_TIMER, 0 = none */
	/* Kick if no interrupt window by then, 0 = none.  This and
	 * deadline_ns are under vm->timer_lock. */
	uint64_t window_ns;

	/* The page the machine reads: the guest's magic page once negotiated,
	 * a host-private one for a trapping guest. */
	struct pvabi_magic_page *page;
	struct pvabi_magic_page *private_page;
	bool pv;
	struct pvabi_result negotiated;
	struct vm_slot magic, notify;

	bool injected; /* vCPU thread: a vector is queued for this entry */
	bool entry_injected; /* ... and was for the last KVM_RUN */
	uint64_t tsc_offset; /* guest TSC - host TSC */

	char line[160];
	size_t line_len;
	struct vcpu_stats st;
};

/* Called by the vCPU thread after each exit; return true to park the vCPU
 * (pvvm run --save-to: stop at a chosen point). */
typedef bool (*vcpu_stop_fn)(struct vcpu *v, void *opaque);

struct vm_config {
	int nr_vcpus;
	struct pvabi_offer offer; /* what the host offers, policy applied */
	struct pvabi_dlv_config dlv;
	enum pvvm_arm_mode arm;
	FILE *console; /* guest lines go here; NULL: discarded */
	bool deaf; /* the guest ignores pvvm_boot.stop: stop it from outside */
};

struct vm {
	int sys_fd;
	int fd;
	int run_size;
	struct vm_config cfg;
	struct vm_slot ram;
	struct pvvm_boot *boot;
	int nr_vcpus;
	struct vcpu vcpus[PVVM_MAX_VCPUS];
	uint64_t tsc_khz;

	pthread_mutex_t timer_lock;
	pthread_cond_t timer_cond;
	pthread_t timer_thread;
	bool timer_running;
	volatile bool stopping;

	vcpu_stop_fn stop_fn;
	void *stop_opaque;
	pthread_mutex_t out_lock; /* console lines */
};

/* Read from other threads while the vCPU thread runs. */
static inline bool vcpu__is_done(const struct vcpu *v)
{
	return __atomic_load_n(&v->done, __ATOMIC_ACQUIRE);
}

static inline bool vcpu__is_paused(const struct vcpu *v)
{
	return __atomic_load_n(&v->paused, __ATOMIC_ACQUIRE);
}

static inline int vcpu__error(const struct vcpu *v)
{
	return __atomic_load_n(&v->error, __ATOMIC_ACQUIRE);
}

/* kvm.c */
int kvm__open(void);
int kvm__check_caps(int sys_fd, char *why, size_t len);
int kvm__check_extension(int fd, long cap);
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* vm.c */
void vm_config__default(struct vm_config *cfg);
int vm__new(struct vm *vm, const struct vm_config *cfg, char *why, size_t len);
int vm__load_image(struct vm *vm, const void *image, size_t size);
int vm__add_slot(struct vm *vm, struct vm_slot *s);
int vm__del_slot(struct vm *vm, struct vm_slot *s);
void *vm__gpa(struct vm *vm, uint64_t gpa, uint64_t len);
int vm__start(struct vm *vm);
int vm__wait(struct vm *vm);
void vm__stop(struct vm *vm);
void vm__delete(struct vm *vm);
uint64_t vm__tsc_to_ns(const struct vm *vm, uint64_t cycles);

/* vcpu.c */
int vcpu__new(struct vm *vm, int id);
int vcpu__reset(struct vcpu *v);
int vcpu__start(struct vcpu *v);
void vcpu__kick(struct vcpu *v);
void vcpu__delete(struct vcpu *v);
void vcpu__signals_init(void);
struct pvabi_dlv_regs vcpu__dlv_regs(const struct vcpu *v);

/* ioport.c */
int ioport__exit(struct vcpu *v);
void ioport__flush_console(struct vcpu *v);

/* hcall.c */
int32_t hcall__dispatch(struct vcpu *v);

/* pvpage.c */
int pvpage__negotiate(struct vcpu *v, const struct pvabi_request *req,
		      struct pvabi_result *res);
int pvpage__restore(struct vcpu *v, uint64_t magic_gpa, uint64_t notify_gpa,
		    const struct pvabi_result *res);
int pvpage__arm(struct vcpu *v);
int pvpage__disarm(struct vcpu *v);
bool pvpage__is_notify(const struct vcpu *v, uint64_t gpa);
void pvpage__write_msr(struct vcpu *v, uint32_t msr);
uint32_t pvpage__read_msr(const struct vcpu *v);
void pvpage__delete(struct vcpu *v);

/* irq.c */
int irq__init(struct vcpu *v);
int irq__attach_page(struct vcpu *v, struct pvabi_magic_page *page,
		     bool notify);
int irq__restore(struct vcpu *v, const struct pvabi_dlv_state *st);
int irq__resume(struct vcpu *v);
int irq__inject(struct vcpu *v, uint32_t vector);
int irq__exit(struct vcpu *v, bool decide);
int irq__entry(struct vcpu *v);
int irq__notify_trap(struct vcpu *v);
int irq__timer_start(struct vm *vm);
void irq__timer_stop(struct vm *vm);

#endif /* PVVM_VMM_H */
