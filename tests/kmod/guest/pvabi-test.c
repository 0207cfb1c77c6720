// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvabi-test: runs inside the QEMU guest against the real pvabi.ko.
 *   pvabi-test CASE [ARGS]
 * prints one "ok - ..." or "not ok - ..." line per check (the host runner
 * numbers them) and exits 1 when any check failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "genl_client.h"
#include "pvabi/access.h"
#include "pvabi/delivery.h"
#include "pvabi/error.h"

#include "guest.h"

/* ------------------------------------------------------------- cases */

static void case_basic(void)
{
	int dev = dev_open(), vm;
	struct vcpu v;
	struct pvabi_vcpu_negotiate n;

	result(ioctl(dev, PVABI_GET_API_VERSION, 0) == PVABI_API_VERSION,
	       "PVABI_GET_API_VERSION is %d", PVABI_API_VERSION);
	vm = vm_create(dev, "basic", NULL);
	vcpu_setup(vm, 0, &v);
	result(pvabi_page_order(v.mp) == PVABI_LE &&
		       pvabi_ld16(PVABI_LE, &v.mp->hdr.major) == 1 &&
		       pvabi_ld16(PVABI_LE, &v.mp->hdr.minor) == 1 &&
		       pvabi_ld32(PVABI_LE, &v.mp->hdr.size) == PVABI_SIZE_1_1,
	       "negotiation wrote a 1.1 little-endian header into the mmap'd "
	       "magic page");
	result(pvabi_ld64(PVABI_LE, &v.mp->hdr.features) ==
		       (PVABI_F_ALL_1_0 & ~PVABI_F_HOST_PATCH),
	       "default policy offers every 1.0 feature but host patching");
	result(pvabi_ld64(PVABI_LE, &v.mp->hdr.notify_gpa) == 0x11000,
	       "header records the notification page address");
	EXPECT_ERR(negotiate(v.fd, 0, &n), EBUSY, "second negotiation");
	result(inject(&v) == 0 && took(&v) == 1,
	       "injection outside a critical section is delivered at once");
	vcpu_close(&v);
	close(vm);
	close(dev);
}

static void case_defer(void)
{
	int dev = dev_open(), vm = vm_with_bound(dev, "defer", 1000000, NULL);
	struct pvabi_vcpu_stats st;
	struct vcpu v;
	pid_t pid;
	int status;

	vcpu_setup(vm, 0, &v);
	doorbell(&v, 1); /* fault the page in */
	enter(&v);
	inject(&v);
	st = stats(&v);
	result(took(&v) == 0 && st.pending == 1 && st.deferred == 1,
	       "injection inside a critical section is held back");
	result(st.zaps == 1 && pvabi_ld32(PVABI_LE, &v.mp->dlv.int_pending),
	       "deferral set int_pending and unmapped the notification page");
	leave(&v);
	result(took(&v) == 0,
	       "leaving the critical section delivers nothing by itself");
	doorbell(&v, 2);
	st = stats(&v);
	result(took(&v) == 1 && st.notify_traps == 1 && st.pending == 0,
	       "the doorbell store trapped and delivered exactly once");
	result(!pvabi_ld32(PVABI_LE, &v.mp->dlv.int_pending) &&
		       pvabi_ld64(PVABI_LE, &v.mp->dlv.delivered) == 1 &&
		       pvabi_ld64(PVABI_LE, &v.mp->dlv.notify_traps) == 1,
	       "the magic page's counters agree");
	doorbell(&v, 3);
	result(stats(&v).notify_traps == 1,
	       "the page is mapped again: the next store does not trap");

	/* A second process maps the page too: its store traps as well. */
	enter(&v);
	pid = fork();
	if (pid == 0) {
		/* Not int_pending: it is set before the kernel looks at
		 * critical; wait for the unmap itself. */
		for (int i = 0; i < 5000; i++) {
			if (stats(&v).zaps >= 2)
				break;
			sleep_ms(1);
		}
		leave(&v);
		doorbell(&v, 4);
		_exit(0);
	}
	inject(&v);
	waitpid(pid, &status, 0);
	st = stats(&v);
	result(took(&v) == 1 && st.notify_traps == 2 && st.zaps == 2,
	       "a forked process's doorbell store traps and delivers too "
	       "(traps %" PRIu64 ", zaps %" PRIu64 ")",
	       (uint64_t)st.notify_traps, (uint64_t)st.zaps);
	vcpu_close(&v);

	/* Without PVABI_F_NOTIFY nothing is unmapped: the deferred vector
	 * waits for the next exit (the seed's race), here a kick. */
	vcpu_setup_features(vm, 1, &v, 0);
	enter(&v);
	inject(&v);
	leave(&v);
	doorbell(&v, 5);
	st = stats(&v);
	result(took(&v) == 0 && st.zaps == 0 && st.notify_traps == 0 &&
		       st.pending == 1,
	       "without the notification feature the doorbell store does not "
	       "trap");
	ioctl(v.fd, PVABI_VCPU_KICK, 0);
	result(took(&v) == 1, "and the next exit delivers");
	vcpu_close(&v);
	close(vm);
	close(dev);
}

static void case_bound(void)
{
	struct pvctl_genl *events = NULL;
	struct pvabi_vcpu_stats st;
	uint32_t id, ev = 0, evm = 0;
	int64_t evc = -1;
	struct vcpu v;
	int dev = dev_open(), vm;

	if (pvctl_genl_open(&events) || pvctl_genl_subscribe(events))
		die("subscribe to pvabi events");
	vm = vm_with_bound(dev, "bound", 1000, &id);
	vcpu_setup(vm, 0, &v);
	enter(&v);
	inject(&v);
	sleep_ms(200); /* 200 times the bound */
	st = stats(&v);
	result(took(&v) == 1 && st.forced == 1 && st.pending == 0,
	       "a critical section held past the bound is cut short (forced "
	       "%" PRIu64 ")",
	       (uint64_t)st.forced);
	while (!pvctl_genl_next_event(events, &ev, &evm, &evc) &&
	       ev != PVABI_EVENT_DEFER_FORCED)
		;
	result(ev == PVABI_EVENT_DEFER_FORCED && evm == id && evc == 0,
	       "the events group reports the forced delivery");
	leave(&v);
	doorbell(&v, 1);
	result(took(&v) == 0 && stats(&v).delivered == 1,
	       "the late doorbell store delivers nothing twice");

	pvctl_genl_close(events);
	vcpu_close(&v);
	close(vm);

	/* A hostile guest stores to the doorbell from inside its critical
	 * section: each store traps again until the exit bound (64) forces;
	 * the time bound is out of reach. */
	vm = vm_with_bound(dev, "hostile", PVABI_DEFER_US_MAX, NULL);
	vcpu_setup(vm, 0, &v);
	enter(&v);
	inject_vec(&v, 5);
	doorbell(&v, 2);
	st = stats(&v);
	result(took(&v) == 1 && st.forced == 1 && st.notify_traps == 64,
	       "doorbell stores inside a critical section trap until the exit "
	       "bound forces (%" PRIu64 " traps)",
	       (uint64_t)st.notify_traps);
	leave(&v);
	vcpu_close(&v);
	close(vm);
	close(dev);
}

static void case_irqoff(void)
{
	int dev = dev_open(), vm = vm_with_bound(dev, "irqoff", 1000000, NULL);
	struct vcpu v;

	vcpu_setup(vm, 0, &v);
	pvabi_st32(PVABI_LE, &v.mp->dlv.irq_enabled, 0);
	result(inject_vec(&v, 1) == 0 && inject_vec(&v, 2) == 0 &&
		       inject_vec(&v, 2) == 1,
	       "a vector injected twice before delivery coalesces");
	sleep_ms(20);
	result(took(&v) == 0 && stats(&v).forced == 0 &&
		       pvabi_ld32(PVABI_LE, &v.mp->dlv.int_pending),
	       "with interrupts off injections stay pending, unforced");
	pvabi_st32(PVABI_LE, &v.mp->dlv.irq_enabled, 1);
	ioctl(v.fd, PVABI_VCPU_KICK, 0);
	result(took(&v) == 2 && stats(&v).coalesced == 1,
	       "enabling and kicking delivers both vectors once");
	pvabi_st32(PVABI_LE, &v.mp->dlv.irq_enabled, 0);
	{
		int i, ok = 1;

		for (i = 0; i < PVABI_DLV_QUEUE_LEN; i++)
			ok &= inject_vec(&v, 100 + i) == 0;
		result(ok, "%d distinct vectors queue", PVABI_DLV_QUEUE_LEN);
	}
	EXPECT_ERR(inject_vec(&v, 999), EBUSY,
		   "one more distinct vector: queue full");
	pvabi_st32(PVABI_LE, &v.mp->dlv.irq_enabled, 1);
	ioctl(v.fd, PVABI_VCPU_KICK, 0);
	result(took(&v) == PVABI_DLV_QUEUE_LEN && stats(&v).refused == 1,
	       "a kick drains the full queue, nothing refused was queued");
	{
		struct pvabi_regs regs = {.r1 = TOKEN, .msr = PVABI_MSR_PR};

		ioctl(v.fd, PVABI_VCPU_SET_REGS, &regs);
		enter(&v);
		inject(&v);
		result(took(&v) == 1, "critical == r1 in problem state is not "
				      "a critical section");
	}
	vcpu_close(&v);
	close(vm);
	close(dev);
}

static void case_signal(void)
{
	int dev = dev_open(), vm = vm_with_bound(dev, "signal", 1000000, NULL);
	struct pvabi_signal s = {.signo = SIGRTMIN + 1};
	struct timespec ts = {2, 0};
	sigset_t set;
	struct vcpu v;

	vcpu_setup(vm, 0, &v);
	sigemptyset(&set);
	sigaddset(&set, s.signo);
	sigprocmask(SIG_BLOCK, &set, NULL);
	result(ioctl(v.fd, PVABI_VCPU_SET_SIGNAL, &s) == 0,
	       "PVABI_VCPU_SET_SIGNAL SIGRTMIN+1");
	enter(&v);
	inject_vec(&v, 77);
	leave(&v);
	doorbell(&v, 1);
	{
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		result(sigtimedwait(&set, &si, &ts) == s.signo &&
			       si.si_value.sival_int == 77,
		       "a delivery from the doorbell trap signals the vCPU "
		       "thread with its vector");
	}
	s.signo = 0;
	ioctl(v.fd, PVABI_VCPU_SET_SIGNAL, &s);
	vcpu_close(&v);
	close(vm);
	close(dev);
}

/* ------------------------------------------------------------ stress */

/*
 * Each injection carries its identity: vector = source tag | sequence
 * number (1, 2, ...), the ioctl injector's without STRESS_NETLINK, the
 * netlink injector's with it.  The receiver gets every delivery's vector in
 * the signal's si_value (PVABI_VCPU_SET_SIGNAL) and checks that each source's
 * numbers arrive exactly once and in order; "lost" is what it never saw, not
 * what the module's counters say.  No vector repeats, so nothing coalesces,
 * and each injector keeps at most STRESS_WINDOW vectors that the receiver
 * has not seen in flight, so the two never fill the module's queue.
 */
#define STRESS_NETLINK 0x80000000u
#define STRESS_WINDOW  (PVABI_DLV_QUEUE_LEN / 2)

struct stress_source {
	long n; /* to inject */
	atomic_long injected;
	atomic_long distinct; /* numbers the receiver has seen */
	unsigned char *got;   /* [1..n]: times the receiver saw each */
	long last, dup, out_of_order, foreign;
};

struct stress {
	struct vcpu v;
	uint32_t vm_id;
	struct stress_source src[2]; /* 0: ioctl, 1: netlink */
	int signo;
	atomic_int stop, receiving;
	atomic_ulong taken;
	unsigned long loops, kicks, signals;
	int inj_err;
};

static void *vcpu_thread(void *arg)
{
	struct stress *s = arg;
	unsigned long i;

	for (i = 0; !atomic_load(&s->stop); i++) {
		int pending;

		enter(&s->v);
		/* A template's worth of work on the scratch slots. */
		for (int k = 0; k < PVABI_SCRATCH_SLOTS; k++)
			pvabi_st64(PVABI_LE, &s->v.mp->scratch[k], i + k);
		pending = pvabi_ld32(PVABI_LE, &s->v.mp->dlv.int_pending);
		pvabi_st64(PVABI_LE, &s->v.mp->scratch[1], i);
		leave(&s->v);
		doorbell(&s->v, i);
		/* Some iterations take the hypercall path instead. */
		if (pending && (i & 3) == 0) {
			ioctl(s->v.fd, PVABI_VCPU_KICK, 0);
			s->kicks++;
		}
	}
	s->loops = i;
	return NULL;
}

/* Account one delivered vector to its source. */
static void stress_receive(struct stress *s, uint32_t vec)
{
	struct stress_source *src = &s->src[!!(vec & STRESS_NETLINK)];
	long seq = (long)(vec & ~STRESS_NETLINK);

	if (seq < 1 || seq > src->n) {
		src->foreign++;
		return;
	}
	if (src->got[seq]++) {
		src->dup++;
		return;
	}
	if (seq != src->last + 1)
		src->out_of_order++;
	src->last = seq;
	atomic_fetch_add(&src->distinct, 1);
}

/* The receiver: the thread the module signals, and the eventfd's reader. */
static void *reader_thread(void *arg)
{
	struct stress *s = arg;
	struct pvabi_signal ps = {.signo = s->signo};
	struct timespec ts = {0, 2000000};
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, s->signo);
	if (ioctl(s->v.fd, PVABI_VCPU_SET_SIGNAL, &ps))
		s->inj_err = errno;
	atomic_store(&s->receiving, 1);
	for (;;) {
		uint64_t n = took(&s->v);

		if (n)
			atomic_fetch_add(&s->taken, n);
		if (sigtimedwait(&set, &si, &ts) == s->signo) {
			s->signals++;
			stress_receive(s, (uint32_t)si.si_value.sival_int);
		} else if (atomic_load(&s->stop)) {
			break;
		}
	}
	return NULL;
}

/* Wait until fewer than STRESS_WINDOW of @src's vectors are unseen; after
 * 2 s without progress go on (lost vectors would stall it forever; the
 * receiver reports them). */
static void stress_throttle(struct stress_source *src, long next)
{
	long d = atomic_load(&src->distinct);
	double t = now();

	while (next - 1 - d >= STRESS_WINDOW && now() - t < 2.0) {
		sched_yield();
		if (atomic_load(&src->distinct) != d) {
			d = atomic_load(&src->distinct);
			t = now();
		}
	}
}

static void *ioctl_injector(void *arg)
{
	struct stress *s = arg;
	struct stress_source *src = &s->src[0];
	long i;

	for (i = 1; i <= src->n; i++) {
		stress_throttle(src, i);
		if (inject_vec(&s->v, (uint32_t)i) != 0) {
			s->inj_err = errno ? errno : EEXIST;
			break;
		}
		atomic_fetch_add(&src->injected, 1);
	}
	return NULL;
}

static void *netlink_injector(void *arg)
{
	struct stress *s = arg;
	struct stress_source *src = &s->src[1];
	struct pvctl_genl *g;
	long i;
	int err;

	err = pvctl_genl_open(&g);
	if (err) {
		s->inj_err = -err;
		return NULL;
	}
	for (i = 1; i <= src->n; i++) {
		stress_throttle(src, i);
		err = pvctl_genl_inject(g, s->vm_id, 0,
					STRESS_NETLINK | (uint32_t)i);
		if (err) {
			s->inj_err = -err;
			break;
		}
		atomic_fetch_add(&src->injected, 1);
	}
	pvctl_genl_close(g);
	return NULL;
}

static void case_stress(long total)
{
	int dev = dev_open(), vm;
	pthread_t tv, tr, ti, tn;
	struct pvabi_vcpu_stats st;
	struct stress *s = calloc(1, sizeof(*s));
	double t0, t1;
	long expect, lost = 0, dup = 0, order = 0, foreign = 0;
	sigset_t set;
	int i;

	s->src[1].n = total / 5;
	s->src[0].n = total - s->src[1].n;
	for (i = 0; i < 2; i++)
		if (!(s->src[i].got = calloc(s->src[i].n + 1, 1)))
			die("out of memory");
	expect = total;
	/* Blocked in every thread: only the receiver's sigtimedwait takes
	 * it. */
	s->signo = SIGRTMIN + 2;
	sigemptyset(&set);
	sigaddset(&set, s->signo);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* A wide bound: a TCG vCPU preempted inside its critical section
	 * should not turn deferrals into forced deliveries. */
	vm = vm_with_bound(dev, "stress", 100000, &s->vm_id);
	vcpu_setup(vm, 0, &s->v);
	pthread_create(&tr, NULL, reader_thread, s);
	while (!atomic_load(&s->receiving))
		sleep_ms(1);
	t0 = now();
	pthread_create(&tv, NULL, vcpu_thread, s);
	pthread_create(&ti, NULL, ioctl_injector, s);
	pthread_create(&tn, NULL, netlink_injector, s);
	pthread_join(ti, NULL);
	pthread_join(tn, NULL);
	t1 = now();
	/* Let the vCPU run until the receiver has seen the last of each
	 * source (bounded wait), then a little more for stragglers. */
	for (i = 0;
	     i < 5000 && (atomic_load(&s->src[0].distinct) < s->src[0].n ||
			  atomic_load(&s->src[1].distinct) < s->src[1].n);
	     i++)
		sleep_ms(1);
	sleep_ms(20);
	atomic_store(&s->stop, 1);
	pthread_join(tv, NULL);
	pthread_join(tr, NULL);
	atomic_fetch_add(&s->taken, took(&s->v));
	st = stats(&s->v);

	for (i = 0; i < 2; i++) {
		struct stress_source *src = &s->src[i];

		lost += src->n - atomic_load(&src->distinct);
		dup += src->dup;
		order += src->out_of_order;
		foreign += src->foreign;
		free(src->got);
	}
	printf("# stress: %ld injections (%ld ioctl, %ld netlink) in %.2f s, "
	       "%.0f/s\n",
	       atomic_load(&s->src[0].injected) +
		       atomic_load(&s->src[1].injected),
	       s->src[0].n, s->src[1].n, t1 - t0, expect / (t1 - t0));
	printf("# stress: kernel queued %" PRIu64 " coalesced %" PRIu64
	       " refused %" PRIu64 " delivered %" PRIu64 " deferred %" PRIu64
	       " zaps %" PRIu64 " notify_traps %" PRIu64 " forced %" PRIu64
	       " masked %" PRIu64 " exits %" PRIu64 " pending %" PRIu64 "\n",
	       (uint64_t)st.injected, (uint64_t)st.coalesced,
	       (uint64_t)st.refused, (uint64_t)st.delivered,
	       (uint64_t)st.deferred, (uint64_t)st.zaps,
	       (uint64_t)st.notify_traps, (uint64_t)st.forced,
	       (uint64_t)st.masked, (uint64_t)st.exits, (uint64_t)st.pending);
	printf("# stress: vCPU ran %lu critical sections, kicked %lu times; "
	       "the receiver took %lu signals, eventfd %lu; lost %ld "
	       "duplicated %ld out of order %ld foreign %ld\n",
	       s->loops, s->kicks, s->signals,
	       (unsigned long)atomic_load(&s->taken), lost, dup, order,
	       foreign);
	result(s->inj_err == 0 &&
		       atomic_load(&s->src[0].injected) == s->src[0].n &&
		       atomic_load(&s->src[1].injected) == s->src[1].n,
	       "stress: all %ld injections accepted (ioctl and netlink)",
	       expect);
	result(st.injected == (uint64_t)expect && st.coalesced == 0 &&
		       st.refused == 0,
	       "stress: the module queued each distinct vector (%" PRIu64
	       "), none coalesced or refused",
	       (uint64_t)st.injected);
	result(lost == 0 && s->signals == (unsigned long)expect,
	       "stress: the receiver saw every vector's identity, 0 lost "
	       "(%lu/%ld)",
	       s->signals, expect);
	result(dup == 0 && order == 0 && foreign == 0,
	       "stress: each vector exactly once and in order per source (0 "
	       "duplicated, 0 out of order, 0 foreign)");
	result((uint64_t)atomic_load(&s->taken) == s->signals &&
		       st.delivered == s->signals && st.pending == 0,
	       "stress: the eventfd and the module's delivered counter agree "
	       "with the receiver (%lu, %" PRIu64 ")",
	       (unsigned long)atomic_load(&s->taken), (uint64_t)st.delivered);
	result(pvabi_ld64(PVABI_LE, &s->v.mp->dlv.delivered) == st.delivered,
	       "stress: the magic page's delivered counter agrees");
	result(st.deferred > 0 && st.notify_traps > 0,
	       "stress: deferral and doorbell traps happened (%" PRIu64
	       ", %" PRIu64 ")",
	       (uint64_t)st.deferred, (uint64_t)st.notify_traps);
	vcpu_close(&s->v);
	close(vm);
	close(dev);
	free(s);
}

/* ------------------------------------------------------- bad ioctls */

static void case_badioctl(void)
{
	int dev = dev_open(), vm, vc, efd;
	struct pvabi_create_vm cv;
	struct pvabi_vcpu_negotiate n;
	struct pvabi_eventfd e;
	struct pvabi_signal s;
	struct vcpu v;
	void *p;

	EXPECT_ERR(ioctl(dev, _IO(PVABI_IO, 0x7f), 0), ENOTTY,
		   "unknown ioctl on /dev/pvabi");
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, (void *)8), EFAULT,
		   "CREATE_VM bad pointer");
	memset(&cv, 0, sizeof(cv));
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, &cv), EINVAL,
		   "CREATE_VM without name or UUID");
	strcpy(cv.name, "x");
	cv.flags = 1;
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, &cv), EINVAL,
		   "CREATE_VM unknown flag");
	memset(&cv, 'a', sizeof(cv.name));
	cv.flags = 0;
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, &cv), EINVAL,
		   "CREATE_VM name without NUL");
	memset(&cv, 0, sizeof(cv));
	strcpy(cv.name, "bad\nname");
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, &cv), EINVAL,
		   "CREATE_VM unprintable name");
	memset(&cv, 0, sizeof(cv));
	strcpy(cv.name, "caf\xe9");
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, &cv), EINVAL,
		   "CREATE_VM name with a byte above 0x7e");
	memset(&cv, 0, sizeof(cv));
	strcpy(cv.name, "del\x7f");
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, &cv), EINVAL,
		   "CREATE_VM name with DEL");
	{
		/* Readable, not writable: the id cannot be copied out. */
		struct pvabi_create_vm *ro =
			mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int before = dup(0), after;

		close(before);
		strcpy(ro->name, "read-only");
		mprotect(ro, 4096, PROT_READ);
		EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, ro), EFAULT,
			   "CREATE_VM into a read-only argument");
		after = dup(0);
		close(after);
		result(after == before,
		       "the failed CREATE_VM installed no fd (next fd %d, "
		       "was %d)",
		       after, before);
		after = vm_create(dev, "read-only", NULL);
		result(after >= 0, "and left no VM holding its name");
		close(after);
		munmap(ro, 4096);
	}
	memset(&cv, 0, sizeof(cv));
	strcpy(cv.name, "a");
	cv.name[5] = 'z';
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, &cv), EINVAL,
		   "CREATE_VM garbage after the NUL");
	vm = vm_create(dev, "bad", NULL);
	memset(&cv, 0, sizeof(cv));
	strcpy(cv.name, "bad");
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, &cv), EEXIST,
		   "CREATE_VM duplicate name");
	memset(&cv, 0, sizeof(cv));
	cv.uuid[3] = 7;
	vc = ioctl(dev, PVABI_CREATE_VM, &cv);
	cv.id = 0;
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, &cv), EEXIST,
		   "CREATE_VM duplicate UUID");
	cv.id = 1;
	EXPECT_ERR(ioctl(dev, PVABI_CREATE_VM, &cv), EINVAL,
		   "CREATE_VM with the output id set");
	close(vc);
	EXPECT_ERR(ioctl(vm, PVABI_CREATE_VCPU, PVABI_MAX_VCPUS), EINVAL,
		   "CREATE_VCPU index out of range");
	EXPECT_ERR(ioctl(vm, PVABI_CREATE_VCPU, -1L), EINVAL,
		   "CREATE_VCPU index -1");
	EXPECT_ERR(ioctl(vm, PVABI_VCPU_INJECT, 0), ENOTTY,
		   "vCPU ioctl on a VM fd");
	vc = ioctl(vm, PVABI_CREATE_VCPU, 1);
	EXPECT_ERR(ioctl(vm, PVABI_CREATE_VCPU, 1), EEXIST,
		   "CREATE_VCPU duplicate index");
	EXPECT_ERR(ioctl(vc, PVABI_CREATE_VM, &cv), ENOTTY,
		   "device ioctl on a vCPU fd");
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_NEGOTIATE, (void *)8), EFAULT,
		   "NEGOTIATE bad pointer");
	negotiate(-1, 0, &n);
	n.pad[1] = 1;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_NEGOTIATE, &n), EINVAL,
		   "NEGOTIATE non-zero padding");
	negotiate(-1, 0, &n);
	n.byte_order = 3;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_NEGOTIATE, &n), EINVAL,
		   "NEGOTIATE bad byte order");
	negotiate(-1, 0, &n);
	n.magic_gpa = 0x10001;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_NEGOTIATE, &n), EINVAL,
		   "NEGOTIATE misaligned page");
	result(n.error == PVABI_E_BADADDR,
	       "NEGOTIATE reports PVABI_E_BADADDR (%d)", n.error);
	negotiate(-1, 0, &n);
	n.min_version = n.max_version = PVABI_VERSION_PACKED(2, 0);
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_NEGOTIATE, &n), EOPNOTSUPP,
		   "NEGOTIATE version 2.0 only");
	result(n.error == PVABI_E_NOVERSION,
	       "NEGOTIATE reports PVABI_E_NOVERSION (%d)", n.error);
	negotiate(-1, 0, &n);
	n.required = 1ull << 40;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_NEGOTIATE, &n), EOPNOTSUPP,
		   "NEGOTIATE unknown required feature");
	negotiate(-1, 0, &n);
	n.min_version = 0;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_NEGOTIATE, &n), EINVAL,
		   "NEGOTIATE major 0");
	e.fd = 12345;
	e.flags = 0;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_SET_EVENTFD, &e), EBADF,
		   "SET_EVENTFD closed fd");
	e.fd = dev;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_SET_EVENTFD, &e), EINVAL,
		   "SET_EVENTFD not an eventfd");
	efd = eventfd(0, 0);
	e.fd = efd;
	e.flags = 2;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_SET_EVENTFD, &e), EINVAL,
		   "SET_EVENTFD unknown flag");
	close(efd);
	s.flags = 0;
	s.signo = SIGKILL;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_SET_SIGNAL, &s), EINVAL,
		   "SET_SIGNAL SIGKILL");
	s.signo = 64;
	result(ioctl(vc, PVABI_VCPU_SET_SIGNAL, &s) == 0,
	       "SET_SIGNAL 64 (SIGRTMAX, a valid signal) is accepted");
	s.signo = 0;
	ioctl(vc, PVABI_VCPU_SET_SIGNAL, &s);
	s.signo = 65;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_SET_SIGNAL, &s), EINVAL,
		   "SET_SIGNAL 65");
	s.signo = -1;
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_SET_SIGNAL, &s), EINVAL,
		   "SET_SIGNAL -1");
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_INJECT, 1), ENOTCONN,
		   "INJECT before negotiation");
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_KICK, 0), ENOTCONN,
		   "KICK before negotiation");
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_INJECT, 1ul << 32), EINVAL,
		   "INJECT vector above 32 bits");
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_KICK, 1), EINVAL,
		   "KICK non-zero argument");
	EXPECT_ERR(ioctl(vc, PVABI_VCPU_GET_STATS, (void *)8), EFAULT,
		   "GET_STATS bad pointer");
	EXPECT_ERR(ioctl(vc, _IOW(PVABI_IO, 0x21, uint32_t), 0), ENOTTY,
		   "SET_REGS with the wrong size");
	p = mmap(NULL, PVABI_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, vc,
		 0);
	result(p == MAP_FAILED && errno == EINVAL, "mmap MAP_PRIVATE refused");
	p = mmap(NULL, PVABI_PAGE_SIZE, PROT_READ, MAP_SHARED, vc,
		 2 * PVABI_PAGE_SIZE);
	result(p == MAP_FAILED && errno == EINVAL,
	       "mmap past the notification page refused");
	p = mmap(NULL, 3 * PVABI_PAGE_SIZE, PROT_READ, MAP_SHARED, vc, 0);
	result(p == MAP_FAILED && errno == EINVAL,
	       "mmap of three pages refused");
	p = mmap(NULL, PVABI_PAGE_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, vc,
		 0);
	result(p == MAP_FAILED, "mmap PROT_EXEC refused");
	p = mmap(NULL, PVABI_PAGE_SIZE, PROT_READ, MAP_SHARED, vc,
		 PVABI_MMAP_NOTIFY_OFFSET);
	result(p != MAP_FAILED && mremap(p, PVABI_PAGE_SIZE,
					 2 * PVABI_PAGE_SIZE, 0) == MAP_FAILED,
	       "mremap cannot grow a mapping");
	if (p != MAP_FAILED)
		munmap(p, PVABI_PAGE_SIZE);
	close(vc);
	/* The VM fd closes first: its vCPUs keep it alive. */
	vcpu_setup(vm, 2, &v);
	close(vm);
	result(inject(&v) == 0 && took(&v) == 1, "a vCPU outlives its VM fd");
	vcpu_close(&v);
	close(dev);
}

/* ---------------------------------------------------- bad netlink */

static struct nl_msg *msg_vm(struct pvctl_genl *g, uint8_t cmd, uint32_t id)
{
	struct nl_msg *m = pvctl_genl_msg(g, cmd, 0);

	nla_put_u32(m, PVABI_A_VM_ID, id);
	return m;
}

static struct nl_msg *msg_policy(struct pvctl_genl *g, uint32_t id, int type,
				 const void *data, int len)
{
	struct nl_msg *m = msg_vm(g, PVABI_CMD_SET_POLICY, id);
	struct nlattr *nest = nla_nest_start(m, PVABI_A_VM_POLICY);

	nla_put(m, type, len, data);
	nla_nest_end(m, nest);
	return m;
}

static void case_badnl(void)
{
	int dev = dev_open(), vm, vc;
	struct pvctl_genl *g;
	uint32_t id, u32v;
	uint64_t u64v;
	uint16_t u16v = 1;
	struct nl_msg *m;

	if (pvctl_genl_open(&g)) {
		result(0, "generic netlink family \"pvabi\" resolves");
		return;
	}
	vm = vm_create(dev, "badnl", &id);
	EXPECT_NL(pvctl_genl_inject(g, id + 1000, 0, 0), ENOENT,
		  "INJECT unknown VM");
	EXPECT_NL(pvctl_genl_inject(g, id, 5, 0), ENOENT,
		  "INJECT unknown vCPU");
	EXPECT_NL(pvctl_genl_inject(g, id, PVABI_MAX_VCPUS, 0), ERANGE,
		  "INJECT vCPU index out of range");
	EXPECT_NL(pvctl_genl_inject(g, 0, 0, 0), ERANGE, "INJECT VM id 0");
	vc = ioctl(vm, PVABI_CREATE_VCPU, 3);
	EXPECT_NL(pvctl_genl_inject(g, id, 3, 0), ENOTCONN,
		  "INJECT before the vCPU negotiated");
	m = msg_vm(g, PVABI_CMD_INJECT, id);
	nla_put_u32(m, PVABI_A_VCPU, 3);
	nla_put(m, PVABI_A_VECTOR, 2, &u16v);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL, "INJECT vector of 2 bytes");
	close(vc);
	m = pvctl_genl_msg(g, PVABI_CMD_INJECT, 0);
	nla_put_u32(m, PVABI_A_VCPU, 0);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL, "INJECT without VM id");
	m = msg_vm(g, PVABI_CMD_INJECT, id);
	nla_put_u32(m, PVABI_A_VCPU, 0);
	nla_put_u32(m, PVABI_A_EVENT, 1);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL,
		  "INJECT with an attribute it does not take");
	m = pvctl_genl_msg(g, PVABI_CMD_INJECT, 0);
	nla_put(m, PVABI_A_VM_ID, 2, &u16v);
	nla_put_u32(m, PVABI_A_VCPU, 0);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL, "INJECT VM id of 2 bytes");
	m = msg_vm(g, PVABI_CMD_INJECT, id);
	nla_put_u32(m, PVABI_A_VCPU, 0);
	nla_put_u32(m, __PVABI_A_MAX + 3, 0);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL,
		  "INJECT unknown attribute type");
	m = msg_vm(g, PVABI_CMD_SET_POLICY, id);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL,
		  "SET_POLICY without a policy");
	u64v = 1ull << 40;
	EXPECT_NL(
		pvctl_genl_request(g, msg_policy(g, id, PVABI_POLICY_A_FEATURES,
						 &u64v, 8)),
		EINVAL, "SET_POLICY undefined feature bit");
	u32v = 5;
	EXPECT_NL(
		pvctl_genl_request(g, msg_policy(g, id, PVABI_POLICY_A_DEFER_US,
						 &u32v, 4)),
		ERANGE, "SET_POLICY deferral bound of 5 us");
	u32v = 2000000;
	EXPECT_NL(
		pvctl_genl_request(g, msg_policy(g, id, PVABI_POLICY_A_DEFER_US,
						 &u32v, 4)),
		ERANGE, "SET_POLICY deferral bound of 2 s");
	u32v = 0x0005;
	EXPECT_NL(pvctl_genl_request(g, msg_policy(g, id,
						   PVABI_POLICY_A_MIN_VERSION,
						   &u32v, 4)),
		  ERANGE, "SET_POLICY version with major 0");
	u32v = PVABI_VERSION_PACKED(2, 0);
	EXPECT_NL(pvctl_genl_request(g, msg_policy(g, id,
						   PVABI_POLICY_A_MIN_VERSION,
						   &u32v, 4)),
		  EINVAL, "SET_POLICY minimum above maximum");
	u32v = PVABI_NL_PATCH_MAX + 1;
	EXPECT_NL(pvctl_genl_request(g, msg_policy(g, id,
						   PVABI_POLICY_A_PATCH_MODE,
						   &u32v, 4)),
		  ERANGE, "SET_POLICY unknown patch mode");
	u32v = PVABI_NL_PATCH_UNSPEC;
	EXPECT_NL(pvctl_genl_request(g, msg_policy(g, id,
						   PVABI_POLICY_A_PATCH_MODE,
						   &u32v, 4)),
		  ERANGE, "SET_POLICY patch mode UNSPEC");
	EXPECT_NL(
		pvctl_genl_request(g, msg_policy(g, id, PVABI_POLICY_A_DEFER_US,
						 &u16v, 2)),
		EINVAL, "SET_POLICY deferral bound of 2 bytes");
	u32v = 1;
	EXPECT_NL(
		pvctl_genl_request(
			g, msg_policy(g, id, PVABI_POLICY_A_MAX + 1, &u32v, 4)),
		EINVAL, "SET_POLICY unknown policy member");
	m = msg_policy(g, id, PVABI_POLICY_A_DEFER_US, &(uint32_t){500}, 4);
	nla_put_u32(m, PVABI_A_FLAGS, 2);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL, "SET_POLICY unknown flag");
	m = msg_vm(g, PVABI_CMD_SET_POLICY, id);
	nla_put_u32(m, PVABI_A_VM_POLICY, 1);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL,
		  "SET_POLICY policy that is not nested");
	m = msg_vm(g, PVABI_CMD_EVENT, id);
	EXPECT_NL(pvctl_genl_request(g, m), EOPNOTSUPP,
		  "EVENT from user space");
	m = pvctl_genl_msg(g, __PVABI_CMD_MAX + 5, 0);
	EXPECT_NL(pvctl_genl_request(g, m), EOPNOTSUPP, "unknown command");
	close(vm);
	pvctl_genl_close(g);
	close(dev);
}

static int count_vm(const struct pvctl_genl_vm *vm, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void case_unpriv(void)
{
	int dev = dev_open(), vm, status;
	uint32_t id;
	pid_t pid;

	vm = vm_create(dev, "unpriv", &id);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct pvctl_genl_policy pol = {
			.present = 1u << PVABI_POLICY_A_DEFER_US,
			.defer_us = 50};
		struct pvctl_genl *g;
		int n = 0, err;

		if (setgid(65534) || setuid(65534))
			die("setuid");
		EXPECT_ERR(open("/dev/pvabi", O_RDWR), EACCES,
			   "unprivileged open /dev/pvabi");
		if (pvctl_genl_open(&g)) {
			result(0, "unprivileged user resolves the family");
			_exit(1);
		}
		EXPECT_NL(pvctl_genl_set_policy(g, id, 0, &pol), EPERM,
			  "unprivileged SET_POLICY");
		EXPECT_NL(pvctl_genl_inject(g, id, 0, 0), EPERM,
			  "unprivileged INJECT");
		{
			struct pvabi_offer o = {.n_versions = 1,
						.versions = {{1, 0}}};
			uint32_t flags;

			EXPECT_NL(pvctl_genl_set_offer(g, &o), EPERM,
				  "unprivileged SET_OFFER");
			EXPECT_NL(pvctl_genl_get_offer(g, &o, &flags), EPERM,
				  "unprivileged GET_OFFER");
		}
		err = pvctl_genl_dump(g, 0, count_vm, &n);
		result(err == -EPERM && n == 0,
		       "unprivileged GET_VMS dump is refused: EPERM (got %s, "
		       "%d VMs)",
		       strerror(-err), n);
		err = pvctl_genl_subscribe(g);
		result(err == -EPERM,
		       "unprivileged join of the events group is refused: "
		       "EPERM (got %s)",
		       strerror(-err));
		pvctl_genl_close(g);
		_exit(n_fail ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		n_fail++;
	close(vm);
	close(dev);
}

/* ----------------------------------------------- policy, dump, events */

struct find {
	uint32_t id;
	struct pvctl_genl_vm vm;
	int found;
};

static int find_vm(const struct pvctl_genl_vm *vm, void *arg)
{
	struct find *f = arg;

	if (vm->id == f->id) {
		f->vm = *vm;
		f->found++;
	}
	return 0;
}

/* The next event on @events, whole (poll up to 5 s). */
static int stop_at_first(const struct pvctl_genl_event *e, void *arg)
{
	*(struct pvctl_genl_event *)arg = *e;
	return 1;
}

static int next_event(struct pvctl_genl *events, struct pvctl_genl_event *e)
{
	struct pollfd p = {.fd = pvctl_genl_fd(events), .events = POLLIN};

	memset(e, 0, sizeof(*e));
	while (poll(&p, 1, 5000) > 0)
		if (pvctl_genl_read_events(events, stop_at_first, e, NULL) == 1)
			return 0;
	return -1;
}

static void case_policy(void)
{
	int dev = dev_open(), vm, vc;
	struct pvctl_genl_policy pol = {0};
	struct pvabi_vcpu_negotiate n;
	struct pvctl_genl *g, *events;
	struct find *f = calloc(1, sizeof(*f));
	struct vcpu v[PVABI_MAX_VCPUS];
	struct pvctl_genl_event e;
	uint32_t id, ev, evm;
	int64_t evc;
	int i, ok;

	if (!f || pvctl_genl_open(&g) || pvctl_genl_open(&events) ||
	    pvctl_genl_subscribe(events)) {
		free(f);
		result(0,
		       "generic netlink family and its events group resolve");
		return;
	}
	/* Not pushed: this case's first SET_POLICY is the push. */
	vm = vm_create_closed(dev, "policy", &id);
	result(next_event(events, &e) == 0 &&
		       e.event == PVABI_EVENT_VM_CREATED && e.vm_id == id &&
		       e.vcpu == -1 && !strcmp(e.name, "policy") && !e.has_uuid,
	       "events group reports VM_CREATED with the VM's name");
	vc = ioctl(vm, PVABI_CREATE_VCPU, 0);
	EXPECT_ERR(negotiate(vc, PVABI_F_ALL_1_0, &n), EACCES,
		   "NEGOTIATE before any policy was pushed (fail closed)");
	result(n.error == PVABI_E_POLICY, "it reports PVABI_E_POLICY (%d)",
	       n.error);
	f->id = id;
	pvctl_genl_dump(g, 0, find_vm, f);
	result(f->found == 1 && !f->vm.policy_pushed && f->vm.policy.enabled,
	       "GET_VMS: enabled, no policy pushed yet");

	pol.present =
		1u << PVABI_POLICY_A_FEATURES | 1u << PVABI_POLICY_A_DEFER_US;
	pol.features = PVABI_F_NOTIFY | PVABI_F_HOST_PATCH;
	pol.defer_us = 2500;
	result(pvctl_genl_set_policy(g, id, 0, &pol) == 0,
	       "SET_POLICY features and bound");
	result(pvctl_genl_next_event(events, &ev, &evm, &evc) == 0 &&
		       ev == PVABI_EVENT_POLICY_CHANGED && evm == id,
	       "events group reports POLICY_CHANGED");
	ok = negotiate(vc, PVABI_F_ALL_1_0, &n) == 0;
	result(ok && n.features == PVABI_F_NOTIFY,
	       "the same vCPU negotiates once the policy is pushed, clamped "
	       "by it (features %#llx)",
	       (unsigned long long)n.features);
	/* Read before result(): its arguments print what was read. */
	ok = next_event(events, &e) == 0;
	result(ok && e.event == PVABI_EVENT_VCPU_NEGOTIATED && e.vcpu == 0 &&
		       e.version == PVABI_VERSION_PACKED(1, 1) &&
		       e.features == PVABI_F_NOTIFY,
	       "events group reports VCPU_NEGOTIATED with version %#x and "
	       "features %#llx",
	       e.version, (unsigned long long)e.features);
	close(vc);
	pol.present = 1u << PVABI_POLICY_A_PATCH_MODE;
	pol.patch_mode = PVABI_NL_PATCH_HOST;
	pvctl_genl_set_policy(g, id, 0, &pol);
	vc = ioctl(vm, PVABI_CREATE_VCPU, 0);
	result(negotiate(vc, PVABI_F_ALL_1_0, &n) == 0 &&
		       n.features == (PVABI_F_NOTIFY | PVABI_F_HOST_PATCH),
	       "PVABI_NL_PATCH_HOST offers host patching");
	close(vc);
	pol.present = 1u << PVABI_POLICY_A_MIN_VERSION |
		      1u << PVABI_POLICY_A_MAX_VERSION;
	pol.min_version = pol.max_version = PVABI_VERSION_PACKED(2, 0);
	pvctl_genl_set_policy(g, id, 0, &pol);
	vc = ioctl(vm, PVABI_CREATE_VCPU, 0);
	result(negotiate(vc, PVABI_F_ALL_1_0, &n) == -1 &&
		       errno == EOPNOTSUPP && n.error == PVABI_E_NOVERSION,
	       "a policy allowing only 2.0 leaves 1.x guests without a "
	       "version");
	close(vc);

	memset(f, 0, sizeof(*f));
	f->id = id;
	pvctl_genl_dump(g, 0, find_vm, f);
	result(f->found == 1 && f->vm.policy_pushed &&
		       f->vm.policy.defer_us == 2500 &&
		       f->vm.policy.patch_mode == PVABI_NL_PATCH_HOST &&
		       f->vm.policy.min_version == PVABI_VERSION_PACKED(2, 0) &&
		       f->vm.policy.features ==
			       (PVABI_F_NOTIFY | PVABI_F_HOST_PATCH) &&
		       !strcmp(f->vm.name, "policy"),
	       "GET_VMS reports the policy back");
	pol.present = 0;
	result(pvctl_genl_set_policy(g, id, PVABI_SET_POLICY_F_RESET, &pol) ==
		       0,
	       "SET_POLICY with PVABI_SET_POLICY_F_RESET and an empty policy");

	/* Many vCPUs: the dump spans several messages and is merged. */
	for (i = 0; i < PVABI_MAX_VCPUS; i++)
		vcpu_setup(vm, i, &v[i]);
	inject(&v[37]);
	memset(f, 0, sizeof(*f));
	f->id = id;
	ok = pvctl_genl_dump(g, id, find_vm, f) == 0;
	result(ok && f->found == 1 && f->vm.n_vcpus == PVABI_MAX_VCPUS,
	       "GET_VMS dump of %d vCPUs (got %u)", PVABI_MAX_VCPUS,
	       f->vm.n_vcpus);
	ok = 1;
	for (i = 0; i < (int)f->vm.n_vcpus; i++)
		ok &= f->vm.vcpus[i].index == (uint32_t)i &&
		      f->vm.vcpus[i].version == PVABI_VERSION_PACKED(1, 1) &&
		      f->vm.vcpus[i].stats.delivered == (i == 37);
	result(ok, "each vCPU reported once with its version and stats");
	for (i = 0; i < PVABI_MAX_VCPUS; i++)
		vcpu_close(&v[i]);
	close(vm);
	pvctl_genl_close(events);
	pvctl_genl_close(g);
	close(dev);
	free(f);
}

/* ------------------------------------------ fail closed, host offer */

static int set_offer(struct pvctl_genl *g, const uint32_t *v, int n,
		     uint64_t features)
{
	struct pvabi_offer o = {.n_versions = (uint32_t)n,
				.features = features};

	for (int i = 0; i < n; i++)
		o.versions[i] = pvabi_version_unpack(v[i]);
	return pvctl_genl_set_offer(g, &o);
}

/* A vCPU @index of @vm negotiating everything: its features, or -errno. */
static long long try_negotiate(int vm, unsigned int index,
			       struct pvabi_vcpu_negotiate *n)
{
	int vc = ioctl(vm, PVABI_CREATE_VCPU, index);
	long long r;

	if (vc < 0)
		return -errno;
	r = negotiate(vc, PVABI_F_ALL_1_0, n) ? -errno : (long long)n->features;
	close(vc);
	return r;
}

/*
 * Without standalone (the module as packaged): a VM negotiates only after a
 * policy was pushed, never under a disabling one; the host offer pushed is
 * what a guest gets.  With standalone=1 (@standalone, the init script
 * reloads the module so): the old behaviour, a VM negotiates at once.
 */
static void case_closed(bool standalone)
{
	static const uint32_t v10 = PVABI_VERSION_PACKED(1, 0);
	static const uint32_t v11 = PVABI_VERSION_PACKED(1, 1);
	/* What the default policy offers: no host patching. */
	const long long all = PVABI_F_ALL_1_0 & ~PVABI_F_HOST_PATCH;
	struct pvctl_genl_policy off = {.present = 1u << PVABI_POLICY_A_ENABLED,
					.enabled = 0};
	struct pvctl_genl_policy on = {.present = 1u << PVABI_POLICY_A_ENABLED,
				       .enabled = 1};
	struct pvabi_vcpu_negotiate n;
	struct pvabi_offer o;
	struct pvctl_genl *g;
	struct nl_msg *m;
	struct nlattr *a, *l;
	int dev = dev_open(), vm, err;
	uint32_t id, flags, bad[2];
	long long r;

	if (pvctl_genl_open(&g))
		die("genl open");
	/* Fetched before result(): its arguments are evaluated in any order. */
	err = pvctl_genl_get_offer(g, &o, &flags);
	result(err == 0 && o.n_versions == 1 &&
		       pvabi_version_pack(o.versions[0]) == v11 &&
		       o.features == PVABI_F_ALL_1_1 &&
		       flags == (standalone ? PVABI_HOST_F_STANDALONE : 0u),
	       "GET_OFFER: the module's own offer (%u versions, features "
	       "%#llx, flags %#x)",
	       o.n_versions, (unsigned long long)o.features, flags);

	vm = vm_create_closed(dev, standalone ? "alone" : "closed", &id);
	r = try_negotiate(vm, 0, &n);
	if (standalone)
		result(r == all,
		       "standalone=1: a VM negotiates without a push (%lld)",
		       r);
	else
		result(r == -EACCES && n.error == PVABI_E_POLICY,
		       "standalone=0: refused before the push: EACCES, "
		       "PVABI_E_POLICY (%lld, %d)",
		       r, n.error);
	result(pvctl_genl_set_policy(g, id, 0, &off) == 0,
	       "SET_POLICY enabled 0");
	r = try_negotiate(vm, 1, &n);
	result(r == -EACCES && n.error == PVABI_E_POLICY,
	       "a policy with enabled 0 refuses: EACCES, PVABI_E_POLICY "
	       "(%lld, %d)",
	       r, n.error);
	result(pvctl_genl_set_policy(g, id, 0, &on) == 0,
	       "SET_POLICY enabled 1");
	r = try_negotiate(vm, 2, &n);
	result(r == all, "enabled again: it negotiates (%lld)", r);

	/* The host offer: what a guest gets, clamped by the policy. */
	result(set_offer(g, &v10, 1, PVABI_F_NOTIFY) == 0,
	       "SET_OFFER 1.0 with notify only");
	err = pvctl_genl_get_offer(g, &o, &flags);
	result(err == 0 && o.n_versions == 1 &&
		       pvabi_version_pack(o.versions[0]) == v10 &&
		       o.features == PVABI_F_NOTIFY &&
		       (flags & PVABI_HOST_F_OFFER_SET),
	       "GET_OFFER shows the offer pushed (flags %#x)", flags);
	r = try_negotiate(vm, 3, &n);
	result(r == PVABI_F_NOTIFY && n.version == v10,
	       "a guest asking for everything gets the offer pushed (%lld)", r);

	bad[0] = PVABI_VERSION_PACKED(2, 0);
	EXPECT_NL(set_offer(g, bad, 1, 0), ERANGE, "SET_OFFER 2.0");
	bad[0] = PVABI_VERSION_PACKED(PVABI_VERSION_MAJOR,
				      PVABI_VERSION_MINOR + 1);
	EXPECT_NL(set_offer(g, bad, 1, 0), ERANGE,
		  "SET_OFFER a minor above the module's");
	bad[0] = 0;
	EXPECT_NL(set_offer(g, bad, 1, 0), EINVAL, "SET_OFFER major 0");
	bad[0] = bad[1] = v10;
	EXPECT_NL(set_offer(g, bad, 2, 0), EINVAL, "SET_OFFER 1.0 twice");
	EXPECT_NL(set_offer(g, bad, 0, 0), EINVAL, "SET_OFFER no version");
	EXPECT_NL(set_offer(g, &v10, 1, 1ull << 63), EINVAL,
		  "SET_OFFER an undefined feature");
	m = pvctl_genl_msg(g, PVABI_CMD_SET_OFFER, 0);
	a = nla_nest_start(m, PVABI_A_OFFER);
	l = nla_nest_start(m, PVABI_OFFER_A_VERSIONS);
	nla_put_u32(m, 0, v10);
	nla_nest_end(m, l);
	nla_nest_end(m, a);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL,
		  "SET_OFFER without features");
	m = pvctl_genl_msg(g, PVABI_CMD_SET_OFFER, 0);
	a = nla_nest_start(m, PVABI_A_OFFER);
	l = nla_nest_start(m, PVABI_OFFER_A_VERSIONS);
	nla_put_u64(m, 0, v10);
	nla_nest_end(m, l);
	nla_put_u64(m, PVABI_OFFER_A_FEATURES, 0);
	nla_nest_end(m, a);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL,
		  "SET_OFFER an 8-byte version");
	m = pvctl_genl_msg(g, PVABI_CMD_GET_OFFER, 0);
	nla_put_u32(m, PVABI_A_VM_ID, id);
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL,
		  "GET_OFFER with an attribute");
	result(pvctl_genl_get_offer(g, &o, &flags) == 0 &&
		       o.features == PVABI_F_NOTIFY,
	       "a refused SET_OFFER leaves the offer as it was");

	/* Back to the module's own, for the cases after this one. */
	result(set_offer(g, &v11, 1, PVABI_F_ALL_1_1) == 0,
	       "SET_OFFER back to the module's own: 1.1 with every feature");
	pvctl_genl_close(g);
	close(vm);
	close(dev);
}

/* ------------------------------------------------------------- churn */

/*
 * Lifetimes under fire: threads create and close VMs and vCPUs, map,
 * fault, inject and exit, while others dump, set policies and inject over
 * netlink by ids that come and go.  Nothing may crash, hang or leak (the
 * final rmmod proves every reference was dropped).
 */
struct churn {
	atomic_int stop;
	atomic_uint last_id;
	atomic_long rounds, nl_ops;
	int dev;
};

static void *churn_vms(void *arg)
{
	struct churn *c = arg;
	long n;

	for (n = 0; !atomic_load(&c->stop); n++) {
		struct pvabi_create_vm cv = {0};
		struct vcpu v;
		int vm, other;

		snprintf(cv.name, sizeof(cv.name), "churn-%lx-%ld",
			 (unsigned long)pthread_self() & 0xffff, n);
		vm = ioctl(c->dev, PVABI_CREATE_VM, &cv);
		if (vm < 0)
			continue;
		atomic_store(&c->last_id, cv.id);
		vm_push(cv.id);
		vcpu_setup(vm, n % PVABI_MAX_VCPUS, &v);
		other = ioctl(vm, PVABI_CREATE_VCPU, (n + 1) % PVABI_MAX_VCPUS);
		if (n & 1)
			close(vm); /* the vCPUs keep the VM */
		enter(&v);
		inject_vec(&v, 1);
		inject_vec(&v, 2);
		leave(&v);
		doorbell(&v, n);
		ioctl(v.fd, PVABI_VCPU_KICK, 0);
		if (n & 2)
			close(v.fd); /* the mapping keeps the vCPU */
		else
			vcpu_close(&v);
		if (n & 2) {
			doorbell(&v, n);
			munmap(v.mp, 2 * PVABI_PAGE_SIZE);
			close(v.efd);
		}
		if (other >= 0)
			close(other);
		if (!(n & 1))
			close(vm);
		atomic_fetch_add(&c->rounds, 1);
	}
	return NULL;
}

static int churn_dump_one(const struct pvctl_genl_vm *vm, void *arg)
{
	return 0;
}

static void *churn_netlink(void *arg)
{
	struct churn *c = arg;
	struct pvctl_genl_policy pol = {
		.present = 1u << PVABI_POLICY_A_DEFER_US |
			   1u << PVABI_POLICY_A_FEATURES,
		.features = PVABI_F_NOTIFY,
		.defer_us = 50,
	};
	struct pvctl_genl *g;
	unsigned int i;

	if (pvctl_genl_open(&g))
		return NULL;
	for (i = 0; !atomic_load(&c->stop); i++) {
		uint32_t id = atomic_load(&c->last_id) + (i % 3);

		pvctl_genl_dump(g, 0, churn_dump_one, NULL);
		pvctl_genl_set_policy(
			g, id, i & 1 ? PVABI_SET_POLICY_F_RESET : 0, &pol);
		pvctl_genl_inject(g, id, i % PVABI_MAX_VCPUS, i);
		pvctl_genl_inject(g, id, (i + 1) % PVABI_MAX_VCPUS, i);
		atomic_fetch_add(&c->nl_ops, 4);
	}
	pvctl_genl_close(g);
	return NULL;
}

static void case_churn(long seconds)
{
	struct churn c = {.dev = dev_open()};
	int fds[PVABI_MAX_VMS + 1];
	pthread_t t[4];
	int i, n, vm;

	pthread_create(&t[0], NULL, churn_vms, &c);
	pthread_create(&t[1], NULL, churn_vms, &c);
	pthread_create(&t[2], NULL, churn_netlink, &c);
	pthread_create(&t[3], NULL, churn_netlink, &c);
	sleep_ms(seconds * 1000);
	atomic_store(&c.stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("# churn: %ld VM lifetimes, %ld netlink requests in %ld s\n",
	       (long)atomic_load(&c.rounds), (long)atomic_load(&c.nl_ops),
	       seconds);
	result(atomic_load(&c.rounds) > 0 && atomic_load(&c.nl_ops) > 0,
	       "VMs and vCPUs come and go under netlink dumps, policies and "
	       "injections");

	/* The VM table is bounded. */
	for (n = 0; n <= PVABI_MAX_VMS; n++) {
		struct pvabi_create_vm cv = {0};

		snprintf(cv.name, sizeof(cv.name), "many-%d", n);
		fds[n] = ioctl(c.dev, PVABI_CREATE_VM, &cv);
		if (fds[n] < 0)
			break;
	}
	result(n == PVABI_MAX_VMS && errno == ENOSPC,
	       "VM %d is refused: ENOSPC (got %d VMs, %s)", PVABI_MAX_VMS + 1,
	       n, strerror(errno));
	while (n-- > 0)
		close(fds[n]);
	vm = vm_create(c.dev, "after-many", NULL);
	result(vm >= 0, "closing them frees their slots");
	close(vm);
	close(c.dev);
}

/* ------------------------------------------------------------- pvctl */

/* Run a command line; its stdout into @out; returns its exit status. */
static int sh(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");
	size_t n = 0;
	int st;

	if (!f)
		return -1;
	while (n + 1 < len && !feof(f))
		n += fread(out + n, 1, len - 1 - n, f);
	out[n] = 0;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ------------------------------------------- pvctld following it */

#define PVCTL_BUS "PVCTL_BUS_ADDRESS=unix:path=/tmp/pvctld/bus /pvctl "

/* Poll the dump for up to @ms until VM @id's policy is @pushed with
 * @enabled; the milliseconds it took, or -1. */
static long wait_policy(uint32_t id, bool pushed, uint32_t enabled, long ms)
{
	struct find *f = calloc(1, sizeof(*f));
	struct pvctl_genl *g;
	double t0 = now();
	long took = -1;

	if (!f || pvctl_genl_open(&g))
		die("genl open");
	for (long i = 0; i < ms / 10 && took < 0; i++) {
		memset(f, 0, sizeof(*f));
		f->id = id;
		pvctl_genl_dump(g, id, find_vm, f);
		if (f->found && f->vm.policy_pushed == pushed &&
		    f->vm.policy.enabled == enabled)
			took = (long)((now() - t0) * 1000);
		else
			sleep_ms(10);
	}
	pvctl_genl_close(g);
	free(f);
	return took;
}

/* Poll `pvctl show test` for up to 10 s until its output has @want. */
static bool show_says(const char *args, const char *want, char *out, size_t len)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), PVCTL_BUS "show test %s 2>&1", args);
	for (int i = 0; i < 100; i++) {
		if (sh(cmd, out, len) == 0 && strstr(out, want))
			return true;
		sleep_ms(100);
	}
	return false;
}

/*
 * pvctld (started by the init script on a private bus, configured to offer
 * features "notify" only, libvirt's test driver as its libvirt) against
 * the module: the domain "test" is the VM, a module VM with its UUID.
 */
static void case_pvctld(void)
{
	static const uint8_t test_uuid[PVABI_UUID_LEN] = {
		0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
		0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f};
	struct pvabi_create_vm cv = {0};
	struct pvabi_vcpu_negotiate n;
	struct pvabi_offer o = {0};
	struct pvctl_genl *g;
	char out[4096];
	int dev = dev_open(), vm, other, vc0, vc1 = -1, rc;
	uint32_t flags = 0, other_id, test_id;
	long ms = -1;

	if (pvctl_genl_open(&g))
		die("genl open");
	for (int i = 0; i < 100 && ms < 0; i++) {
		if (pvctl_genl_get_offer(g, &o, &flags) == 0 &&
		    (flags & PVABI_HOST_F_OFFER_SET))
			ms = i * 100;
		else
			sleep_ms(100);
	}
	pvctl_genl_close(g);
	result(ms >= 0 && o.features == PVABI_F_NOTIFY,
	       "pvctld pushed its configured offer at start (features %#llx)",
	       (unsigned long long)o.features);
	rc = sh("/pvctl kmod status", out, sizeof(out));
	result(rc == 0 && strstr(out, "notify (pushed by the control plane)"),
	       "pvctl kmod status shows the module's offer, pushed (exit %d)",
	       rc);
	rc = sh(PVCTL_BUS "enable test >/dev/null 2>&1", out, sizeof(out));
	result(rc == 0, "pvctl enable test (exit %d)", rc);

	memcpy(cv.uuid, test_uuid, sizeof(cv.uuid));
	vm = ioctl(dev, PVABI_CREATE_VM, &cv);
	if (vm < 0)
		die("PVABI_CREATE_VM with the test domain's UUID");
	test_id = cv.id;
	ms = wait_policy(test_id, true, 1, 10000);
	result(ms >= 0,
	       "pvctld pushed the domain's policy when the module VM appeared "
	       "(%ld ms)",
	       ms);
	printf("# pvctld: policy pushed %ld ms after PVABI_CREATE_VM\n", ms);
	vc0 = ioctl(vm, PVABI_CREATE_VCPU, 0);
	result(negotiate(vc0, PVABI_F_ALL_1_0, &n) == 0 &&
		       n.features == PVABI_F_NOTIFY,
	       "the guest negotiates what pvctld's offer allows (%#llx)",
	       (unsigned long long)n.features);
	result(show_says("", "guest:    negotiated 1.1 [notify] on vCPU 0", out,
			 sizeof(out)),
	       "pvctl show test: negotiated 1.1 [notify] on vCPU 0");
	printf("# $ pvctl show test: %s",
	       strstr(out, "guest:") ? strstr(out, "guest:") : out);
	result(show_says("--json",
			 "\"negotiated\":[{\"version\":\"1.1\",\"features\":["
			 "\"notify\"],\"vcpus\":[0]}]",
			 out, sizeof(out)),
	       "pvctl show test --json: \"negotiated\" lists vCPU 0");

	memset(&cv, 0, sizeof(cv));
	cv.uuid[0] = 0x42;
	other = ioctl(dev, PVABI_CREATE_VM, &cv);
	other_id = cv.id;
	sleep_ms(1000);
	result(other >= 0 && wait_policy(other_id, false, 1, 100) >= 0 &&
		       try_negotiate(other, 0, &n) == -EACCES,
	       "a module VM no libvirt domain matches gets no policy: it "
	       "cannot negotiate");
	close(other);

	rc = sh(PVCTL_BUS "disable test >/dev/null 2>&1", out, sizeof(out));
	ms = wait_policy(test_id, true, 0, 10000);
	vc1 = ioctl(vm, PVABI_CREATE_VCPU, 1);
	result(rc == 0 && ms >= 0 && negotiate(vc1, PVABI_F_ALL_1_0, &n) &&
		       errno == EACCES && n.error == PVABI_E_POLICY,
	       "pvctl disable test: negotiation refused (EACCES, "
	       "PVABI_E_POLICY)");

	rc = sh("kill -9 $(cat /tmp/pvctld/pid) && sleep 0.5 && "
		"/start-pvctld && echo started",
		out, sizeof(out));
	result(rc == 0 && show_says("", "negotiated 1.1 [notify] on vCPU 0",
				    out, sizeof(out)),
	       "pvctld killed (-9) and started again adopts the VM: vCPU 0 "
	       "still shown negotiated");

	close(vc0);
	close(vc1);
	close(vm);
	result(show_says("", "guest:    not negotiated", out, sizeof(out)),
	       "the module VM destroyed: pvctl show test says not negotiated");

	/* A module VM named as the domain, without a UUID: found by name and
	 * pushed by its id (the restarted pvctld's test domain is disabled
	 * again: libvirt's test driver keeps nothing). */
	vm = vm_create_closed(dev, "test", &test_id);
	ms = wait_policy(test_id, true, 0, 10000);
	rc = sh(PVCTL_BUS "enable test >/dev/null 2>&1", out, sizeof(out));
	result(ms >= 0 && rc == 0 && wait_policy(test_id, true, 1, 10000) >= 0,
	       "a module VM with the domain's name only gets its policy, "
	       "and pvctl enable reaches it");
	vc0 = ioctl(vm, PVABI_CREATE_VCPU, 2);
	result(negotiate(vc0, PVABI_F_ALL_1_0, &n) == 0 &&
		       show_says("", "negotiated 1.1 [notify] on vCPU 2", out,
				 sizeof(out)),
	       "it negotiates, and pvctl show test says so");
	close(vc0);
	close(vm);
	case_pvctld_socket(sh, PVCTL_BUS, test_uuid);
	close(dev);
}

/* pvctl kmod status/policy/inject against the real family. */
static void case_pvctl(void)
{
	int dev = dev_open(), vm, rc, status;
	char cmd[256], out[8192];
	struct vcpu v;
	uint32_t id;
	pid_t pid;

	if (access("/pvctl", X_OK)) {
		printf("not ok - pvctl kmod against the module: no /pvctl in "
		       "the initramfs\n");
		close(dev);
		return;
	}
	vm = vm_create(dev, "pvctl-vm", &id);
	vcpu_setup(vm, 3, &v);
	inject(&v);
	snprintf(cmd, sizeof(cmd), "/pvctl kmod status --vm %u --json", id);
	rc = sh(cmd, out, sizeof(out));
	result(rc == 0 && strstr(out, "\"loaded\":true") &&
		       strstr(out, "\"name\":\"pvctl-vm\"") &&
		       strstr(out, "\"index\":3") &&
		       strstr(out, "\"delivered\":1") &&
		       strstr(out, "\"offer\":{\"versions\":\"1.1\"") &&
		       strstr(out, "\"standalone\":false") &&
		       strstr(out, "\"policy_pushed\":true"),
	       "pvctl kmod status --json shows the offer, the VM, its vCPU "
	       "and counters (exit %d)",
	       rc);
	snprintf(cmd, sizeof(cmd), "/pvctl kmod status --vm %u", id);
	rc = sh(cmd, out, sizeof(out));
	result(rc == 0 && strstr(out, "vcpu 3: version 1.1") &&
		       strstr(out, "offer: versions 1.1, features ") &&
		       strstr(out, "enabled, policy pushed"),
	       "pvctl kmod status in text, the module's offer first (exit %d)",
	       rc);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
		printf("# $ pvctl kmod status: %s\n", line);
	snprintf(cmd, sizeof(cmd),
		 "/pvctl kmod policy --vm %u --defer-us 2500 --patch-mode host "
		 "--json",
		 id);
	rc = sh(cmd, out, sizeof(out));
	result(rc == 0 && strstr(out, "\"defer_us\":2500") &&
		       strstr(out, "\"patch_mode\":\"host\""),
	       "pvctl kmod policy sets and shows the policy (exit %d)", rc);
	snprintf(cmd, sizeof(cmd),
		 "/pvctl kmod policy --vm %u --versions 1.1-1.0 2>&1", id);
	rc = sh(cmd, out, sizeof(out));
	result(rc == 2, "pvctl kmod policy refuses a reversed range (exit %d)",
	       rc);
	snprintf(cmd, sizeof(cmd), "/pvctl kmod policy --vm %u --reset 2>&1",
		 id + 1000);
	rc = sh(cmd, out, sizeof(out));
	result(rc == 2 && strstr(out, "no such VM"),
	       "pvctl kmod policy names an unknown VM with the kernel's "
	       "message (exit %d)",
	       rc);
	snprintf(cmd, sizeof(cmd),
		 "/pvctl kmod inject --vm %u --vcpu 3 --vector 9", id);
	rc = sh(cmd, out, sizeof(out));
	result(rc == 0 && took(&v) == 2,
	       "pvctl kmod inject delivers to the vCPU (exit %d)", rc);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(99);
		snprintf(cmd, sizeof(cmd),
			 "/pvctl kmod policy --vm %u --reset 2>/dev/null", id);
		rc = sh(cmd, out, sizeof(out));
		snprintf(cmd, sizeof(cmd),
			 "/pvctl kmod status --vm %u 2>/dev/null", id);
		_exit(rc == 1 && sh(cmd, out, sizeof(out)) == 1 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "an unprivileged pvctl may neither look nor change (exit 1)");
	vcpu_close(&v);
	close(vm);
	close(dev);
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "basic"))
		case_basic();
	else if (!strcmp(c, "defer"))
		case_defer();
	else if (!strcmp(c, "bound"))
		case_bound();
	else if (!strcmp(c, "irqoff"))
		case_irqoff();
	else if (!strcmp(c, "signal"))
		case_signal();
	else if (!strcmp(c, "stress"))
		case_stress(argc > 2 ? atol(argv[2]) : 100000);
	else if (!strcmp(c, "badioctl"))
		case_badioctl();
	else if (!strcmp(c, "badnl"))
		case_badnl();
	else if (!strcmp(c, "unpriv"))
		case_unpriv();
	else if (!strcmp(c, "policy"))
		case_policy();
	else if (!strcmp(c, "closed"))
		case_closed(false);
	else if (!strcmp(c, "standalone"))
		case_closed(true);
	else if (!strcmp(c, "pvctl"))
		case_pvctl();
	else if (!strcmp(c, "regionlife"))
		case_region_life();
	else if (!strcmp(c, "region"))
		case_region(argc > 2 ? atol(argv[2]) : 10000);
	else if (!strcmp(c, "pvctld"))
		case_pvctld();
	else if (!strcmp(c, "churn"))
		case_churn(argc > 2 ? atol(argv[2]) : 5);
	else if (!strcmp(c, "hostile") && argc > 2 &&
		 case_hostile(argv[2]) == 0)
		;
	else if (!strcmp(c, "sigvictim") && argc > 3)
		return sigvictim(!strcmp(argv[2], "root"), atoi(argv[3]));
	else if (case_security(c) == 0)
		;
	else {
		fprintf(stderr,
			"usage: pvabi-test "
			"basic|defer|bound|irqoff|signal|stress "
			"[N]|badioctl|badnl|unpriv|policy|closed|"
			"standalone|pvctl|churn "
			"[S]|region "
			"[N]|regionlife|ids|uuid|dump|sigexec|fork|memcg|"
			"hostile "
			"random-page|critical-forever|notify-flip|"
			"bad-negotiate\n");
		return 2;
	}
	return n_fail ? 1 : 0;
}
