// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vcpu.c - vCPU threads: KVM_RUN, kicks and exit dispatch.
 *
 * A kick is SIGUSR1 to the vCPU thread; its handler sets
 * kvm_run.immediate_exit, so a kick that lands between the last look at the
 * interrupt controller and KVM_RUN still makes KVM_RUN return at once
 * (KVM_CAP_IMMEDIATE_EXIT), and one that lands inside KVM_RUN makes it
 * return with EINTR.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

#define PVVM_KICK_SIGNAL SIGUSR1

static __thread struct kvm_run *tls_run;

static void kick_handler(int sig)
{
	(void)sig;
	if (tls_run)
		tls_run->immediate_exit = 1;
}

void vcpu__signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(PVVM_KICK_SIGNAL, &sa, NULL);
}

static int vcpu__set_cpuid(struct vcpu *v)
{
	int n = 128, r;
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + (size_t)n * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = (uint32_t)n;
	r = ioctl(v->vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c);
	if (r == 0)
		r = ioctl(v->fd, KVM_SET_CPUID2, c);
	r = r < 0 ? -errno : 0;
	free(c);
	return r;
}

/* The TSC offset KVM gives the guest, so that guest stamps compare with
 * ours; read back from KVM where it can say, else estimated. */
static void vcpu__read_tsc_offset(struct vcpu *v)
{
	uint64_t off = 0;
	struct kvm_device_attr a = {
		.group = KVM_VCPU_TSC_CTRL,
		.attr = KVM_VCPU_TSC_OFFSET,
		.addr = (uint64_t)(uintptr_t)&off,
	};
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = {.h.nmsrs = 1, .e.index = 0x10 /* IA32_TIME_STAMP_COUNTER */};
	uint64_t best = UINT64_MAX;

	if (ioctl(v->fd, KVM_HAS_DEVICE_ATTR, &a) == 0 &&
	    ioctl(v->fd, KVM_GET_DEVICE_ATTR, &a) == 0) {
		v->tsc_offset = off;
		return;
	}
	for (int i = 0; i < 16; i++) {
		uint64_t t0 = rdtsc(), t1;

		if (ioctl(v->fd, KVM_GET_MSRS, &m) != 1)
			return;
		t1 = rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			v->tsc_offset = m.e.data - (t0 + (t1 - t0) / 2);
		}
	}
}

int vcpu__reset(struct vcpu *v)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	struct kvm_segment code = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = 0x08,
		.type = 0xb,
		.present = 1,
		.dpl = 0,
		.db = 1,
		.s = 1,
		.g = 1,
	};
	struct kvm_segment data = code;

	data.selector = 0x10;
	data.type = 0x3;
	if (ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.limit = 0x67;
	s.tr.type = 0xb; /* busy 32-bit TSS: what VM entry checks */
	s.tr.present = 1;
	memset(&s.ldt, 0, sizeof(s.ldt));
	s.ldt.type = 0x2;
	s.ldt.present = 1;
	s.ldt.unusable = 1;
	s.cr0 = 0x11; /* PE | ET: protected mode, no paging */
	s.cr4 = 0;
	s.efer = 0;
	if (ioctl(v->fd, KVM_SET_SREGS, &s) < 0)
		return -errno;

	memset(&r, 0, sizeof(r));
	r.rip = PVVM_IMAGE_GPA;
	r.rsp = PVVM_STACK_GPA + (uint64_t)(v->id + 1) * PVVM_STACK_SIZE;
	r.rbx = (uint64_t)v->id;
	r.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	return 0;
}

int vcpu__new(struct vm *vm, int id)
{
	struct vcpu *v = &vm->vcpus[id];
	int r;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	v->vm = vm;
	v->id = id;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->wake, NULL);
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		return -errno;
	v->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return -errno;
	}
	r = vcpu__set_cpuid(v);
	if (r < 0)
		return r;
	r = vcpu__reset(v);
	if (r < 0)
		return r;
	vcpu__read_tsc_offset(v);
	v->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	return irq__init(v);
}

struct pvabi_dlv_regs vcpu__dlv_regs(const struct vcpu *v)
{
	struct pvabi_dlv_regs r = {
		.r1 = v->run->s.regs.regs.rsp,
		/* SS.DPL is the CPL on both VMX and SVM. */
		.supervisor = v->run->s.regs.sregs.ss.dpl == 0,
	};

	return r;
}

void vcpu__kick(struct vcpu *v)
{
	pthread_mutex_lock(&v->lock);
	v->kicked = true;
	pthread_cond_signal(&v->wake);
	pthread_mutex_unlock(&v->lock);
	if (v->running)
		pthread_kill(v->thread, PVVM_KICK_SIGNAL);
}

/*
 * HLT exits to us: without an in-kernel irqchip KVM cannot know when a
 * user-space interrupt controller has something for a halted vCPU (and
 * pvvm does not let HLT stay in KVM with KVM_CAP_X86_DISABLE_EXITS for that
 * reason).  pvvm handles it as KVM handles HLT in the kernel: the vCPU sleeps
 * until it is runnable -- an interrupt waits that nothing holds back -- or a
 * kick.  A vector the machine deferred because of a critical section is
 * held back: the halt does not look at it again, just as an in-kernel halt
 * knows nothing of a deferral.  That is the seed's tickless idle: without
 * the notification page, an interrupt deferred just before the halt waits
 * for the next kick.
 */
static bool vcpu__runnable(struct vcpu *v)
{
	return pvabi_dlv_pending(&v->dlv) &&
	       !(pvabi_dlv_flags(&v->dlv) & PVABI_DLV_S_DEFERRED) &&
	       pvabi_ld32(PVABI_LE, &v->page->dlv.irq_enabled);
}

static void vcpu__halt(struct vcpu *v)
{
	pthread_mutex_lock(&v->lock);
	v->halted = true;
	while (!v->kicked && !v->vm->stopping && !v->injected &&
	       !vcpu__runnable(v))
		pthread_cond_wait(&v->wake, &v->lock);
	v->halted = false;
	pthread_mutex_unlock(&v->lock);
}

static int vcpu__mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	if (pvpage__is_notify(v, run->mmio.phys_addr)) {
		/* The doorbell store that arming made trap; a read of the
		 * page while it is away reads zero. */
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		v->st.notify_mmio++;
		return irq__notify_trap(v);
	}
	/* Unassigned guest-physical space, as on a PC bus: writes are
	 * dropped, reads return all ones.  Stopping the vCPU instead would
	 * hand a guest that pokes at random addresses its own crash, and
	 * say nothing about the host; the first one is reported. */
	if (!v->st.unassigned++)
		fprintf(stderr,
			"pvvm: vCPU %d: %s of %u bytes at unassigned 0x%llx "
			"(ignored from now on, counted)\n",
			v->id, run->mmio.is_write ? "write" : "read",
			run->mmio.len, (unsigned long long)run->mmio.phys_addr);
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
	return 0;
}

static int vcpu__handle_exit(struct vcpu *v, int rc)
{
	struct kvm_run *run = v->run;

	if (rc < 0)
		return rc == -EINTR ? 0 : rc;
	switch (run->exit_reason) {
	case KVM_EXIT_IO: v->st.io++; return ioport__exit(v);
	case KVM_EXIT_MMIO: v->st.mmio++; return vcpu__mmio(v);
	case KVM_EXIT_HLT: {
		struct kvm_mp_state mp = {KVM_MP_STATE_RUNNABLE};

		v->st.hlt++;
		vcpu__halt(v);
		/* pvvm did the halting: KVM must not halt the vCPU again
		 * (an emulating KVM may keep it halted past KVM_INTERRUPT). */
		if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
			return -errno;
		return 0;
	}
	case KVM_EXIT_IRQ_WINDOW_OPEN: v->st.window++; return 0;
	case KVM_EXIT_INTR: return 0;
	case KVM_EXIT_UNKNOWN:
		/* kvm-pvm now and then returns from KVM_RUN with this and no
		 * error; running again goes on.  A run of them is an error. */
		if (++v->st.unknown % 1000 == 0) {
			fprintf(stderr,
				"pvvm: vCPU %d: KVM_EXIT_UNKNOWN, hardware "
				"reason 0x%llx\n",
				v->id,
				(unsigned long long)
					run->hw.hardware_exit_reason);
			return -EIO;
		}
		return 0;
	case KVM_EXIT_SHUTDOWN:
		fprintf(stderr, "pvvm: vCPU %d: triple fault at 0x%llx\n",
			v->id, (unsigned long long)run->s.regs.regs.rip);
		return -EFAULT;
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr,
			"pvvm: vCPU %d: VM entry failed, reason 0x%llx\n",
			v->id,
			(unsigned long long)
				run->fail_entry.hardware_entry_failure_reason);
		return -EIO;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr,
			"pvvm: vCPU %d: KVM internal error %u at "
			"0x%llx",
			v->id, run->internal.suberror,
			(unsigned long long)run->s.regs.regs.rip);
		for (uint32_t i = 0; i < run->internal.ndata && i < 16; i++)
			fprintf(stderr, " %llx",
				(unsigned long long)run->internal.data[i]);
		fputc('\n', stderr);
		return -EIO;
	default:
		fprintf(stderr, "pvvm: vCPU %d: unexpected exit %u\n", v->id,
			run->exit_reason);
		return -EIO;
	}
}

static void *vcpu__thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	sigset_t set;
	int r = 0;

	sigemptyset(&set);
	sigaddset(&set, PVVM_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	tls_run = v->run;
	if (v->restored_ns)
		r = irq__resume(v);

	for (;;) {
		bool quiesce = vm->stopping || v->paused;

		/* Stop only with no vector queued inside KVM: a snapshot
		 * could not carry it. */
		if (r < 0 || v->done ||
		    (quiesce && !v->entry_injected && !v->injected))
			break;
		/* Before looking at the controller, so that a kick from now on
		 * makes KVM_RUN return at once. */
		v->run->immediate_exit = 0;
		pthread_mutex_lock(&v->lock);
		v->kicked = false;
		pthread_mutex_unlock(&v->lock);
		if (quiesce) {
			/* Let KVM inject what it holds; stop at the window. */
			v->run->request_interrupt_window = 1;
			v->entry_injected = false;
		} else {
			r = irq__entry(v);
			if (r < 0)
				break;
			v->entry_injected = v->injected;
		}
		r = ioctl(v->fd, KVM_RUN, 0) < 0 ? -errno : 0;
		v->st.exits++;
		if (r == -EINTR ||
		    (r == 0 && v->run->exit_reason == KVM_EXIT_INTR))
			v->st.intr++;
		if (r < 0 && r != -EINTR)
			break;
		/* A halt is not a decision point -- unless pvvm asked for an
		 * interrupt window: a guest that halts can take interrupts,
		 * so the window is open right there. */
		r = irq__exit(v, r == 0 && !quiesce &&
					 (v->run->exit_reason != KVM_EXIT_HLT ||
					  v->run->request_interrupt_window));
		if (r == 0)
			r = vcpu__handle_exit(v, r);
		if (r < 0)
			break;
		if (!quiesce && vm->stop_fn &&
		    vm->stop_fn(v, vm->stop_opaque)) {
			__atomic_store_n(&v->paused, true, __ATOMIC_RELEASE);
			vm__stop(vm);
		}
	}
	v->stopped_ns = now_ns();
	/* Complete an I/O or MMIO exit, so that the saved registers are past
	 * the instruction (KVM's rule before reading state). */
	if (r >= 0 && !v->done) {
		v->run->immediate_exit = 1;
		ioctl(v->fd, KVM_RUN, 0);
		v->run->immediate_exit = 0;
	}
	ioport__flush_console(v);
	tls_run = NULL;
	if (r < 0) {
		__atomic_store_n(&v->error, r, __ATOMIC_RELEASE);
		fprintf(stderr, "pvvm: vCPU %d stopped: %s\n", v->id,
			strerror(-r));
	}
	return NULL;
}

int vcpu__start(struct vcpu *v)
{
	sigset_t set;
	int r;

	/* Threads other than the vCPU's never take the kick signal. */
	sigemptyset(&set);
	sigaddset(&set, PVVM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	r = pthread_create(&v->thread, NULL, vcpu__thread, v);
	if (r == 0)
		v->running = true;
	return -r;
}

void vcpu__delete(struct vcpu *v)
{
	pvpage__delete(v);
	free(v->private_page);
	v->private_page = NULL;
	if (v->run)
		munmap(v->run, (size_t)v->vm->run_size);
	v->run = NULL;
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	pthread_mutex_destroy(&v->lock);
	pthread_cond_destroy(&v->wake);
}
