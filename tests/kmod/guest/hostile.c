// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hostile guests of pvabi.ko, each next to a well-behaved one.
 *
 *   random-page       random bytes over the whole magic page in a loop
 *                     (header, version fields, delivery block), now and
 *                     then holding critical == r1 for a few bounds
 *   critical-forever  critical == r1, never cleared; doorbell stores from
 *                     inside, then silence
 *   notify-flip       the notification page unmapped, remapped, moved,
 *                     protected, dropped, read, re-registered, mapped by a
 *                     child; critical and irq_enabled flipped under kicks
 *   bad-negotiate     negotiation with bad page addresses, argument
 *                     buffers, versions and feature bits, in a loop
 *
 * The hostile vCPU lives in a VM of its own with a 1 ms deferral bound; the
 * host side injects into it all along.  The good vCPU (another VM) runs the
 * protocol correctly and takes ping-pong injections by signal: its
 * injection-to-delivery latency is measured for a while alone and then as
 * long next to the hostile one.  Like two VMs on a real host, the hostile
 * VMM is a process of its own; the good threads run on CPU 0 and the
 * hostile ones (and their injector) on CPU 1, so the figure shows what the
 * module costs the good VM, not what sharing one CPU does.  Checked: both
 * vCPUs' accounting (every injection queued, coalesced or refused as the
 * ioctl said; every queued vector delivered exactly once or still pending;
 * the good one's in order), the bound forced and counted (GET_VMS), and a
 * clean kernel log (the init script).  The last line of a case is for the
 * host to record:
 *   # hostile: test=NAME result=pass|fail forced=N lost=N dup=N
 *     good_p99_us=X good_p99_alone_us=Y ratio=Z
 * lost and dup cover both vCPUs.  Latency is a figure, never a check.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "genl_client.h"
#include "guest.h"
#include "pvabi/access.h"
#include "pvabi/delivery.h"
#include "pvabi/error.h"
#include "pvabi/pvabi.h"

#define HOSTILE_BOUND_US 1000
/* A TCG vCPU preempted mid-section must not turn into a forced delivery. */
#define GOOD_BOUND_US 100000
/* More distinct vectors than the queue holds. */
#define HOSTILE_VECTORS 40

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the printed seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static long env_long(const char *name, long def)
{
	const char *s = getenv(name);

	return s && *s ? atol(s) : def;
}

/* Threads of the good VM on CPU 0, of the hostile one on the last CPU. */
static void pin(pthread_t t, int hostile)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(hostile && n > 1 ? n - 1 : 0, &set);
	pthread_setaffinity_np(t, sizeof(set), &set);
}

static void spawn(pthread_t *t, void *(*fn)(void *), void *arg, int hostile)
{
	if (pthread_create(t, NULL, fn, arg))
		die("pthread_create");
	pin(*t, hostile);
}

/* ------------------------------------------------------- the good vCPU */

struct good {
	int vm;
	struct vcpu v;
	int signo;
	sigset_t set;
	pthread_t spin;
	atomic_int stop;
	uint32_t sent; /* vectors injected: 1, 2, 3, ... */
	long got, lost, dup, disorder, n_alone, n_next;
	double p50_alone, p99_alone, p50, p99;
};

/* The good guest: short critical sections, each closed by the doorbell. */
static void *good_spin(void *arg)
{
	struct good *g = arg;
	unsigned long i;

	for (i = 0; !atomic_load(&g->stop); i++) {
		enter(&g->v);
		pvabi_st64(PVABI_LE, &g->v.mp->scratch[0], i);
		(void)pvabi_ld32(PVABI_LE, &g->v.mp->dlv.int_pending);
		leave(&g->v);
		doorbell(&g->v, i);
		if (!(i & 63))
			sched_yield();
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile @p of @n sorted samples, in microseconds. */
static double pct_us(const uint64_t *lat, long n, int p)
{
	long k = (n * p + 99) / 100;

	return n ? lat[k > 0 ? k - 1 : 0] / 1e3 : 0;
}

/*
 * Ping-pong injections for @ms milliseconds: each new vector is injected by
 * ioctl and waited for as a signal; the latency is from before the ioctl to
 * after the wait.  Returns the samples taken.
 */
static long good_measure(struct good *g, long ms, double *p50, double *p99)
{
	const long max = 1000000;
	uint64_t *lat = calloc(max, sizeof(*lat)), end;
	struct timespec to = {10, 0}; /* never, unless it is lost */
	long m = 0;

	if (!lat)
		die("calloc");
	end = now_ns() + ms * 1000000ull;
	while (m < max && now_ns() < end) {
		uint32_t vec = ++g->sent;
		uint64_t t0 = now_ns();
		siginfo_t si;

		if (inject_vec(&g->v, vec) != 0) {
			g->lost++;
			continue;
		}
		if (sigtimedwait(&g->set, &si, &to) != g->signo) {
			g->lost++;
			continue;
		}
		lat[m++] = now_ns() - t0;
		g->got++;
		if ((uint32_t)si.si_value.sival_int != vec)
			g->disorder++;
	}
	qsort(lat, m, sizeof(*lat), cmp_u64);
	*p50 = pct_us(lat, m, 50);
	*p99 = pct_us(lat, m, 99);
	free(lat);
	return m;
}

static void good_start(struct good *g, int dev, const char *name)
{
	struct pvabi_signal s = {0};

	memset(g, 0, sizeof(*g));
	g->vm = vm_with_bound(dev, name, GOOD_BOUND_US, NULL);
	vcpu_setup(g->vm, 0, &g->v);
	g->signo = SIGRTMIN + 2;
	sigemptyset(&g->set);
	sigaddset(&g->set, g->signo);
	/* Blocked before any thread starts: every thread inherits it. */
	pthread_sigmask(SIG_BLOCK, &g->set, NULL);
	s.signo = g->signo;
	pin(pthread_self(), 0);
	if (ioctl(g->v.fd, PVABI_VCPU_SET_SIGNAL, &s))
		die("PVABI_VCPU_SET_SIGNAL");
	spawn(&g->spin, good_spin, g, 0);
}

/* Stop the good guest and check its accounting; returns the lost. */
static long good_finish(struct good *g, const char *name)
{
	struct timespec to = {0, 20000000};
	struct pvabi_vcpu_stats st;
	siginfo_t si;
	long extra = 0;

	atomic_store(&g->stop, 1);
	pthread_join(g->spin, NULL);
	while (sigtimedwait(&g->set, &si, &to) == g->signo)
		extra++;
	g->dup = extra;
	st = stats(&g->v);
	result(g->got == (long)g->sent && !g->lost && !g->disorder && !extra,
	       "%s: the good vCPU took all %" PRIu32 " vectors in order, lost "
	       "%ld, out of order %ld, duplicated %ld",
	       name, g->sent, g->lost, g->disorder, extra);
	result(st.injected == g->sent && st.delivered == g->sent &&
		       !st.pending && !st.coalesced && !st.refused,
	       "%s: the module agrees: %" PRIu64 " queued, %" PRIu64
	       " delivered, %" PRIu64 " pending",
	       name, (uint64_t)st.injected, (uint64_t)st.delivered,
	       (uint64_t)st.pending);
	printf("# %s: good vCPU latency p50/p99 %.0f/%.0f us alone (%ld "
	       "samples), %.0f/%.0f us next to the hostile one (%ld samples); "
	       "forced %" PRIu64 ", deferred %" PRIu64 "\n",
	       name, g->p50_alone, g->p99_alone, g->n_alone, g->p50, g->p99,
	       g->n_next, (uint64_t)st.forced, (uint64_t)st.deferred);
	vcpu_close(&g->v);
	close(g->vm);
	return g->lost +
	       (st.delivered < g->sent ? (long)(g->sent - st.delivered) : 0);
}

/* --------------------------------------------------- the hostile vCPU */

struct hostile {
	int dev, vm;
	uint32_t vm_id;
	struct vcpu v;
	char *np; /* where the notification page is mapped now, or NULL */
	atomic_int stop;
	atomic_long ops;
	/* What PVABI_VCPU_INJECT answered: 0, 1, EBUSY, anything else. */
	long queued, coalesced, busy, other;
	atomic_long unexpected; /* other requests answered against the doc */
	uint64_t taken;		/* eventfd total */
	pthread_t injector, actor[2];
	int n_actors;
};

/* Inject @vector and count what the module answered. */
static void hostile_inject1(struct hostile *h, uint32_t vector)
{
	int r = inject_vec(&h->v, vector);

	if (r == 0)
		h->queued++;
	else if (r == 1)
		h->coalesced++;
	else if (errno == EBUSY)
		h->busy++;
	else
		h->other++;
}

/* The host side: inject all along, drain the eventfd. */
static void *hostile_inject(void *arg)
{
	struct hostile *h = arg;
	uint32_t i;

	for (i = 0; !atomic_load(&h->stop); i++) {
		hostile_inject1(h, i % HOSTILE_VECTORS);
		h->taken += took(&h->v);
		usleep(100);
	}
	return NULL;
}

/*
 * The counters with every delivery they count already on the eventfd:
 * the module signals under the lock that GET_STATS takes, so two equal
 * snapshots around the read mean nothing slipped in between (the bound's
 * timer may deliver at any moment).
 */
static struct pvabi_vcpu_stats settled(struct vcpu *v, uint64_t *taken)
{
	struct pvabi_vcpu_stats a, b;

	do {
		a = stats(v);
		*taken += took(v);
		b = stats(v);
	} while (a.delivered != b.delivered);
	return b;
}

static void hostile_open(struct hostile *h, int dev, const char *name)
{
	memset(h, 0, sizeof(*h));
	h->dev = dev;
	h->vm = vm_with_bound(dev, name, HOSTILE_BOUND_US, &h->vm_id);
	vcpu_setup(h->vm, 0, &h->v);
	h->np = (char *)h->v.np;
}

static void hostile_run(struct hostile *h, void *(*const act[2])(void *))
{
	int i;

	spawn(&h->injector, hostile_inject, h, 1);
	for (i = 0; i < 2 && act[i]; i++)
		spawn(&h->actor[h->n_actors++], act[i], h, 1);
}

static void hostile_stop(struct hostile *h)
{
	int i;

	atomic_store(&h->stop, 1);
	pthread_join(h->injector, NULL);
	for (i = 0; i < h->n_actors; i++)
		pthread_join(h->actor[i], NULL);
}

/* A vCPU as the administrator sees it (GET_VMS); out->index says which. */
static int find_vcpu(const struct pvctl_genl_vm *vm, void *arg)
{
	struct pvctl_genl_vcpu *out = arg;
	uint32_t i;

	for (i = 0; i < vm->n_vcpus; i++)
		if (vm->vcpus[i].index == out->index)
			*out = vm->vcpus[i];
	return 0;
}

static int netlink_vcpu(uint32_t vm_id, uint32_t index,
			struct pvctl_genl_vcpu *out)
{
	struct pvctl_genl *g;
	int err;

	memset(out, 0, sizeof(*out));
	out->index = index;
	err = pvctl_genl_open(&g);
	if (err)
		return err;
	err = pvctl_genl_dump(g, vm_id, find_vcpu, out);
	pvctl_genl_close(g);
	return err;
}

/*
 * After the actors stopped: every injection is accounted for as the ioctl
 * said, every queued vector was delivered exactly once or is still pending;
 * then the VMM puts the page right and one kick delivers the rest.
 * Returns the vectors lost; *dup those seen twice, *forced the bound's
 * count as GET_VMS reports it.
 */
static long hostile_settle(struct hostile *h, const char *name, int64_t *forced,
			   long *dup)
{
	struct pvabi_vcpu_stats st, end;
	struct pvctl_genl_vcpu nl;
	long lost;

	st = settled(&h->v, &h->taken);
	printf("# %s: %ld hostile actions; injections: %ld queued, %ld "
	       "coalesced, %ld refused (queue full); kernel: delivered %" PRIu64
	       " (forced %" PRIu64 "), pending %" PRIu64 ", deferred %" PRIu64
	       ", notify traps %" PRIu64 ", zaps %" PRIu64 ", masked %" PRIu64
	       "\n",
	       name, (long)atomic_load(&h->ops), h->queued, h->coalesced,
	       h->busy, (uint64_t)st.delivered, (uint64_t)st.forced,
	       (uint64_t)st.pending, (uint64_t)st.deferred,
	       (uint64_t)st.notify_traps, (uint64_t)st.zaps,
	       (uint64_t)st.masked);
	result(!h->other && st.injected == (uint64_t)h->queued &&
		       st.coalesced == (uint64_t)h->coalesced &&
		       st.refused == (uint64_t)h->busy &&
		       !atomic_load(&h->unexpected),
	       "%s: each injection queued, coalesced or refused as the ioctl "
	       "said, each other request answered as documented (%ld, %ld "
	       "not)",
	       name, h->other, (long)atomic_load(&h->unexpected));
	result(st.injected == st.delivered + st.pending &&
		       h->taken == st.delivered,
	       "%s: no vector lost: %" PRIu64 " queued = %" PRIu64
	       " delivered (the eventfd saw %" PRIu64 ") + %" PRIu64
	       " still pending",
	       name, (uint64_t)st.injected, (uint64_t)st.delivered, h->taken,
	       (uint64_t)st.pending);
	lost = (long)(st.injected - st.delivered - st.pending);
	*dup = h->taken > st.delivered ? (long)(h->taken - st.delivered) : 0;
	if (h->taken < st.delivered)
		lost += (long)(st.delivered - h->taken);

	/* The VMM repairs what the guest broke and exits once. */
	pvabi_st64(PVABI_LE, &h->v.mp->dlv.critical, 0);
	pvabi_st32(PVABI_LE, &h->v.mp->dlv.irq_enabled, 1);
	ioctl(h->v.fd, PVABI_VCPU_KICK, 0);
	end = settled(&h->v, &h->taken);
	result(!end.pending && end.delivered == end.injected &&
		       h->taken == end.delivered &&
		       pvabi_ld64(PVABI_LE, &h->v.mp->dlv.delivered) ==
			       end.delivered,
	       "%s: after the VMM repairs the page one kick delivers the "
	       "%" PRIu64 " pending, each once; the page's mirror agrees again",
	       name, (uint64_t)st.pending);
	*forced = -1;
	if (!netlink_vcpu(h->vm_id, 0, &nl))
		*forced = nl.stats.forced;
	result(*forced == (int64_t)end.forced &&
		       nl.version == PVABI_VERSION_PACKED(1, 1) &&
		       nl.features == (PVABI_F_ALL_1_0 & ~PVABI_F_HOST_PATCH),
	       "%s: GET_VMS reports the %" PRId64 " forced deliveries and the "
	       "negotiated version 1.1 and features, whatever the page says",
	       name, *forced);
	return lost;
}

static void hostile_close(struct hostile *h)
{
	munmap(h->v.mp, PVABI_PAGE_SIZE);
	if (h->np)
		munmap(h->np, PVABI_PAGE_SIZE);
	close(h->v.efd);
	close(h->v.fd);
	close(h->vm);
}

/* ----------------------------------------------------------- the cases */

static void *act_random_page(void *arg)
{
	struct hostile *h = arg;
	volatile uint64_t *w = (volatile uint64_t *)h->v.mp;
	volatile uint8_t *b = (volatile uint8_t *)h->v.mp;
	const unsigned int crit =
		offsetof(struct pvabi_magic_page, dlv.critical) / 8;

	while (!atomic_load(&h->stop)) {
		/* One round in four holds critical == r1 for 2-5 bounds. */
		int hold = !(rnd() & 3);
		double until = now() + (2 + rnd() % 4) * HOSTILE_BOUND_US / 1e6;

		while (now() < until && !atomic_load(&h->stop)) {
			unsigned int k;

			for (k = 0; k < PVABI_PAGE_SIZE / 8; k++)
				if (!hold || k != crit)
					w[k] = rnd();
			for (k = 0; k < 16; k++)
				b[rnd() % PVABI_PAGE_SIZE] = rnd();
			if (hold) {
				enter(&h->v);
				pvabi_st32(PVABI_LE, &h->v.mp->dlv.irq_enabled,
					   rnd() | 1);
			} else if (!(rnd() & 7)) {
				enter(&h->v);
			}
			if (!(rnd() & 3))
				doorbell(&h->v, rnd());
			atomic_fetch_add(&h->ops, 1);
		}
	}
	return NULL;
}

static void *act_critical_forever(void *arg)
{
	struct hostile *h = arg;
	unsigned long i;

	pvabi_st32(PVABI_LE, &h->v.mp->dlv.irq_enabled, 1);
	for (i = 0; !atomic_load(&h->stop); i++) {
		double until = now() + 0.02;

		enter(&h->v);
		/* 20 ms of doorbell stores from inside (each traps while the
		 * page is armed), then 20 ms of silence. */
		while (now() < until && !atomic_load(&h->stop)) {
			if (i & 1)
				sleep_ms(1);
			else
				doorbell(&h->v, i);
			atomic_fetch_add(&h->ops, 1);
		}
	}
	return NULL;
}

/* Map the notification page anew, somewhere else. */
static char *map_notify(struct hostile *h)
{
	char *p = mmap(NULL, PVABI_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, h->v.fd, PVABI_MMAP_NOTIFY_OFFSET);

	return p == MAP_FAILED ? NULL : p;
}

/* The mapper: everything a VMM can do to its notification page. */
static void *act_notify_mapper(void *arg)
{
	struct hostile *h = arg;
	char *spare = mmap(NULL, 4 * PVABI_PAGE_SIZE, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pvabi_vcpu_negotiate n;
	unsigned long i;
	char *p;

	if (spare == MAP_FAILED)
		die("mmap spare");
	for (i = 0; !atomic_load(&h->stop); i++) {
		switch (rnd() % 9) {
		case 0: /* unmap, map again elsewhere */
			munmap(h->np, PVABI_PAGE_SIZE);
			h->np = map_notify(h);
			if (!h->np)
				die("mmap notify");
			break;
		case 1: /* inaccessible for a while */
			mprotect(h->np, PVABI_PAGE_SIZE, PROT_NONE);
			usleep(rnd() % 500);
			mprotect(h->np, PVABI_PAGE_SIZE,
				 PROT_READ | PROT_WRITE);
			break;
		case 2: /* drop its page table entry */
			madvise(h->np, PVABI_PAGE_SIZE, MADV_DONTNEED);
			break;
		case 3: /* move it */
			p = spare + (i & 1) * 2 * PVABI_PAGE_SIZE;
			p = mremap(h->np, PVABI_PAGE_SIZE, PVABI_PAGE_SIZE,
				   MREMAP_MAYMOVE | MREMAP_FIXED, p);
			if (p != MAP_FAILED)
				h->np = p;
			break;
		case 4: /* read the doorbell: faults like a store */
			(void)*(volatile uint64_t *)h->np;
			break;
		case 5: /* re-register with another notification page */
			negotiate(-1, PVABI_F_ALL_1_0, &n);
			n.notify_gpa = 0x20000 + (i & 0xf) * PVABI_PAGE_SIZE;
			if (ioctl(h->v.fd, PVABI_VCPU_NEGOTIATE, &n) != -1 ||
			    errno != EBUSY)
				atomic_fetch_add(&h->unexpected, 1);
			break;
		case 6: /* a hypercall exit */
			ioctl(h->v.fd, PVABI_VCPU_KICK, 0);
			break;
		case 7: /* a child maps it too, rings, and goes away */
			if (i % 16)
				break;
			if (fork() == 0) {
				char *c = map_notify(h);

				if (c)
					pvabi_st64(PVABI_LE, (void *)c, 1);
				_exit(0);
			}
			wait(NULL);
			break;
		case 8: /* ring, inside or outside a critical section */
			pvabi_st64(PVABI_LE, (void *)h->np, i);
			break;
		}
		atomic_fetch_add(&h->ops, 1);
	}
	/* Leave a second mapping in the spare slot if the page moved there. */
	if (h->np < spare || h->np >= spare + 4 * PVABI_PAGE_SIZE)
		munmap(spare, 4 * PVABI_PAGE_SIZE);
	return NULL;
}

/*
 * The flipper: interrupts off for a while (the queue fills), on again with
 * the interrupt-enable template's trap every other time, then critical
 * flipped in and out (one store in five inside) while the mapper kicks and
 * rings.
 */
static void *act_notify_flipper(void *arg)
{
	struct hostile *h = arg;
	unsigned long i, round;

	for (round = 0; !atomic_load(&h->stop); round++) {
		double until;

		pvabi_st32(PVABI_LE, &h->v.mp->dlv.irq_enabled, 0);
		sleep_ms(5);
		pvabi_st32(PVABI_LE, &h->v.mp->dlv.irq_enabled, 1);
		if ((round & 1) &&
		    pvabi_ld32(PVABI_LE, &h->v.mp->dlv.int_pending))
			ioctl(h->v.fd, PVABI_VCPU_KICK, 0);
		until = now() + 0.005;
		for (i = 0; now() < until && !atomic_load(&h->stop); i++) {
			if (i % 5)
				leave(&h->v);
			else
				enter(&h->v);
		}
		leave(&h->v);
		atomic_fetch_add(&h->ops, 1);
	}
	return NULL;
}

static void *drain_flipper(void *arg)
{
	struct hostile *h = arg;
	unsigned long i;

	for (i = 0; !atomic_load(&h->stop); i++)
		pvabi_st64(PVABI_LE, &h->v.mp->dlv.critical, i % 5 ? 0 : TOKEN);
	return NULL;
}

/*
 * A full queue drained by one kick while another thread flips critical:
 * every delivery decision may find the guest inside, then outside again.
 * Every vector the module counts as delivered must reach the eventfd.
 * (Whether two decisions of one drain see different values depends on
 * the two vCPUs really running at once; test-dlv-rounds forces the worst
 * schedule on the machine itself.)
 */
static long drain_while_flipping(const char *name, int dev, long trials)
{
	struct pvabi_vcpu_stats st;
	struct hostile h;
	uint64_t taken = 0;
	pthread_t t;
	long i, lost;
	uint32_t k;

	hostile_open(&h, dev, "drain-flip");
	spawn(&t, drain_flipper, &h, 1);
	for (i = 0; i < trials; i++) {
		pvabi_st32(PVABI_LE, &h.v.mp->dlv.irq_enabled, 0);
		for (k = 0; k < PVABI_DLV_QUEUE_LEN; k++)
			inject_vec(&h.v, k);
		pvabi_st32(PVABI_LE, &h.v.mp->dlv.irq_enabled, 1);
		ioctl(h.v.fd, PVABI_VCPU_KICK, 0);
		taken += took(&h.v);
	}
	atomic_store(&h.stop, 1);
	pthread_join(t, NULL);
	/* Whatever is left is delivered now (the flipper stopped). */
	pvabi_st64(PVABI_LE, &h.v.mp->dlv.critical, 0);
	ioctl(h.v.fd, PVABI_VCPU_KICK, 0);
	st = settled(&h.v, &taken);
	lost = (long)(st.delivered - taken);
	result(!lost && !st.pending && st.delivered == st.injected,
	       "%s: %ld full queues drained by a kick while critical flips: "
	       "each of the %" PRIu64 " delivered vectors reached the eventfd "
	       "(%ld did not)",
	       name, trials, (uint64_t)st.delivered, lost);
	hostile_close(&h);
	return lost;
}

/* ------------------------------------------------------- bad-negotiate */

/* A good request with up to two fields changed. */
enum bad_field {
	F_NONE,
	F_MIN,
	F_MAX,
	F_REQUIRED,
	F_MAGIC,
	F_NOTIFY,
	F_ORDER,
	F_PAD,
	F_ERROR
};

struct bad_req {
	const char *what;
	int err;  /* errno */
	int code; /* pvabi_vcpu_negotiate.error written back, or 0 */
	struct {
		enum bad_field f;
		uint64_t v;
	} set[2];
};

#define V(maj, min) PVABI_VERSION_PACKED(maj, min)
static const struct bad_req bad_reqs[] = {
	{"magic page at 0", EINVAL, PVABI_E_BADADDR, {{F_MAGIC, 0}}},
	{"both pages at 0",
	 EINVAL,
	 PVABI_E_BADADDR,
	 {{F_MAGIC, 0}, {F_NOTIFY, 0}}},
	{"notification page at 0", EINVAL, PVABI_E_BADADDR, {{F_NOTIFY, 0}}},
	{"unaligned magic page", EINVAL, PVABI_E_BADADDR, {{F_MAGIC, 0x10800}}},
	{"unaligned notification page",
	 EINVAL,
	 PVABI_E_BADADDR,
	 {{F_NOTIFY, 0x11008}}},
	{"both pages at one address",
	 EINVAL,
	 PVABI_E_BADADDR,
	 {{F_NOTIFY, 0x10000}}},
	{"a kernel address",
	 EINVAL,
	 PVABI_E_RESERVED,
	 {{F_MAGIC, 0xffff888000000000ull}}},
	{"an address past 52 bits",
	 EINVAL,
	 PVABI_E_RESERVED,
	 {{F_NOTIFY, 1ull << 52}}},
	{"the highest page",
	 EINVAL,
	 PVABI_E_RESERVED,
	 {{F_MAGIC, 0xfffffffffffff000ull}}},
	{"version 0.5", EINVAL, PVABI_E_BADVERSION, {{F_MIN, V(0, 5)}}},
	{"version 99.0",
	 EOPNOTSUPP,
	 PVABI_E_NOVERSION,
	 {{F_MIN, V(99, 0)}, {F_MAX, V(99, 0)}}},
	{"min 1.5 above max 1.0",
	 EINVAL,
	 PVABI_E_BADVERSION,
	 {{F_MIN, V(1, 5)}, {F_MAX, V(1, 0)}}},
	{"max 0.0", EINVAL, PVABI_E_BADVERSION, {{F_MAX, 0}}},
	{"an unknown required feature",
	 EOPNOTSUPP,
	 PVABI_E_NOFEATURE,
	 {{F_REQUIRED, 1ull << 40}}},
	{"required bit 63",
	 EOPNOTSUPP,
	 PVABI_E_NOFEATURE,
	 {{F_REQUIRED, PVABI_F_NOTIFY | 1ull << 63}}},
	{"byte order 0", EINVAL, 0, {{F_ORDER, 0}}},
	{"byte order 3", EINVAL, 0, {{F_ORDER, 3}}},
	{"non-zero padding", EINVAL, 0, {{F_PAD, 1}}},
	{"the error field set on input", EINVAL, 0, {{F_ERROR, 1}}},
};

#define N_BAD (sizeof(bad_reqs) / sizeof(bad_reqs[0]))

static void bad_fill(struct pvabi_vcpu_negotiate *n, const struct bad_req *b)
{
	unsigned int i;

	negotiate(-1, PVABI_F_ALL_1_0, n); /* fills a good request */
	for (i = 0; i < 2; i++) {
		uint64_t v = b->set[i].v;

		switch (b->set[i].f) {
		case F_NONE: break;
		case F_MIN: n->min_version = v; break;
		case F_MAX: n->max_version = v; break;
		case F_REQUIRED: n->required = v; break;
		case F_MAGIC: n->magic_gpa = v; break;
		case F_NOTIFY: n->notify_gpa = v; break;
		case F_ORDER: n->byte_order = v; break;
		case F_PAD: n->pad[1] = v; break;
		case F_ERROR: n->error = v; break;
		}
	}
}

/* Refused exactly as documented?  @msg gets the code's text. */
static int bad_refused(int fd, const struct bad_req *b, const char **msg)
{
	struct pvabi_vcpu_negotiate n;
	int r, in;

	bad_fill(&n, b);
	in = n.error;
	errno = 0;
	r = ioctl(fd, PVABI_VCPU_NEGOTIATE, &n);
	*msg = pvabi_strerror(n.error);
	/* Refused before negotiating: nothing is written back. */
	return r == -1 && errno == b->err &&
	       n.error == (b->code ? b->code : in) && !n.version && !n.features;
}

/* Argument buffers the kernel must not trust: each EFAULT, nothing done. */
static int bad_buffers(int fd, char *ro, char *hole)
{
	char *straddle = hole - sizeof(struct pvabi_vcpu_negotiate) / 2;
	struct pvabi_vcpu_negotiate n;
	int ok = 1;

	negotiate(-1, PVABI_F_ALL_1_0, &n);
	memcpy(straddle, &n, sizeof(n) / 2);
	ok &= ioctl(fd, PVABI_VCPU_NEGOTIATE, NULL) == -1 && errno == EFAULT;
	ok &= ioctl(fd, PVABI_VCPU_NEGOTIATE, (void *)0xffffffff81000000ull) ==
		      -1 &&
	      errno == EFAULT;
	ok &= ioctl(fd, PVABI_VCPU_NEGOTIATE, hole) == -1 && errno == EFAULT;
	ok &= ioctl(fd, PVABI_VCPU_NEGOTIATE, straddle) == -1 &&
	      errno == EFAULT;
	ok &= ioctl(fd, PVABI_VCPU_NEGOTIATE, ro) == -1 && errno == EFAULT;
	return ok;
}

/* A good request in a read-only page and a page after an unmapped one. */
static void bad_buffers_setup(char **ro, char **hole)
{
	struct pvabi_vcpu_negotiate n;
	char *p = mmap(NULL, 3 * PVABI_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	negotiate(-1, PVABI_F_ALL_1_0, &n);
	memcpy(p, &n, sizeof(n));
	mprotect(p, PVABI_PAGE_SIZE, PROT_READ);
	munmap(p + 2 * PVABI_PAGE_SIZE, PVABI_PAGE_SIZE);
	*ro = p;
	*hole = p + 2 * PVABI_PAGE_SIZE;
}

struct storm {
	struct hostile *h;
	char *ro, *hole;
	long rounds, wrong;
};

/* The hostile VMM: every bad request on a fresh vCPU, over and over. */
static void *act_bad_storm(void *arg)
{
	struct storm *s = arg;
	struct hostile *h = s->h;
	const char *msg;
	unsigned int k;

	while (!atomic_load(&h->stop)) {
		int fd = ioctl(h->vm, PVABI_CREATE_VCPU,
			       1 + s->rounds % (PVABI_MAX_VCPUS - 1));

		if (fd < 0) {
			s->wrong++;
			continue;
		}
		for (k = 0; k < N_BAD; k++)
			s->wrong += !bad_refused(fd, &bad_reqs[k], &msg);
		s->wrong += !bad_buffers(fd, s->ro, s->hole);
		close(fd);
		s->rounds++;
		atomic_fetch_add(&h->ops, N_BAD + 5);
	}
	return NULL;
}

/*
 * Each refusal once, checked and named, on one vCPU that must stay usable.
 * Returns the deliveries the bound forced (GET_VMS).
 */
static long bad_negotiate_once(struct hostile *h, char *ro, char *hole)
{
	struct pvctl_genl_vcpu nl;
	struct pvabi_vcpu_negotiate n;
	struct vcpu v;
	const char *msg;
	unsigned int k;
	int fd = ioctl(h->vm, PVABI_CREATE_VCPU, 1);

	for (k = 0; k < N_BAD; k++) {
		int ok = bad_refused(fd, &bad_reqs[k], &msg);

		result(ok, "bad-negotiate: %s: %s, error %s (%s)",
		       bad_reqs[k].what, strerror(bad_reqs[k].err),
		       bad_reqs[k].code ? pvabi_errname(bad_reqs[k].code)
					: "field untouched",
		       bad_reqs[k].code ? msg : "refused before negotiating");
	}
	result(bad_buffers(fd, ro, hole),
	       "bad-negotiate: argument NULL, in the kernel, unmapped, "
	       "straddling an unmapped page, read-only: EFAULT each");
	result(negotiate(fd, PVABI_F_ALL_1_0 | 1ull << 40, &n) == 0 &&
		       n.features == (PVABI_F_ALL_1_0 & ~PVABI_F_HOST_PATCH),
	       "bad-negotiate: after all that the vCPU negotiates; an unknown "
	       "wanted bit is not granted (features %#llx)",
	       (unsigned long long)n.features);
	close(fd);

	/*
	 * The argument read from the vCPU's own notification page while it
	 * is armed: each fault traps into the module until the bound
	 * forces, then the read completes and finds byte order 0.  No
	 * deadlock, no hang.
	 */
	vcpu_setup(h->vm, 2, &v);
	doorbell(&v, 1);
	enter(&v);
	inject_vec(&v, 9);
	errno = 0;
	result(ioctl(v.fd, PVABI_VCPU_NEGOTIATE, v.np) == -1 &&
		       errno == EINVAL && took(&v) == 1 &&
		       stats(&v).forced == 1,
	       "bad-negotiate: an argument in the vCPU's own armed "
	       "notification page: EINVAL once the bound forced (%s)",
	       strerror(errno));
	leave(&v);
	if (netlink_vcpu(h->vm_id, 2, &nl))
		nl.stats.forced = 0;
	vcpu_close(&v);
	return (long)nl.stats.forced;
}

/* ---------------------------------------------------------- the driver */

struct hostile_case {
	const char *name;
	void *(*act[2])(void *);
};

static const struct hostile_case cases[] = {
	{"random-page", {act_random_page, NULL}},
	{"critical-forever", {act_critical_forever, NULL}},
	{"notify-flip", {act_notify_mapper, act_notify_flipper}},
	{"bad-negotiate", {NULL, NULL}},
};

/* What the hostile VMM process reports back when it is done. */
struct verdict {
	long fails, lost, dup;
	int64_t forced;
};

/* The case's own checks once the actors stopped, before settling. */
static void hostile_checks(const char *name, struct hostile *h)
{
	struct pvabi_vcpu_stats s0 = stats(&h->v), s1;
	int i;

	if (!strcmp(name, "critical-forever"))
		result(s0.forced > 0 && s0.forced == s0.delivered &&
			       s0.deferred,
		       "critical-forever: every delivery was forced by the "
		       "bound (%" PRIu64 " of %" PRIu64 "), none slipped "
		       "into the critical section",
		       (uint64_t)s0.forced, (uint64_t)s0.delivered);
	if (strcmp(name, "random-page") && strcmp(name, "notify-flip"))
		return;
	/*
	 * One last hold: critical == r1, interrupts on, an exit; the
	 * notification page as the guest left it, or not mapped at all.
	 */
	if (!strcmp(name, "notify-flip")) {
		munmap(h->np, PVABI_PAGE_SIZE);
		h->np = NULL;
	}
	enter(&h->v);
	pvabi_st32(PVABI_LE, &h->v.mp->dlv.irq_enabled, 1);
	hostile_inject1(h, HOSTILE_VECTORS);
	ioctl(h->v.fd, PVABI_VCPU_KICK, 0);
	for (i = 0; i < 2000 && (s1 = stats(&h->v)).forced == s0.forced; i++)
		sleep_ms(1);
	result(s1.forced > s0.forced,
	       "%s: a section held past the bound is forced, %s (%" PRIu64
	       " forced in all)",
	       name,
	       h->np ? "whatever else the page says"
		     : "the notification page unmapped",
	       (uint64_t)s1.forced);
}

/*
 * The hostile VMM, a process of its own like a second VM's: runs its
 * actors on the hostile CPU from when it writes a byte to @out until it
 * reads one from @in, then checks and reports a struct verdict on @out.
 */
static void __attribute__((noreturn))
hostile_process(const struct hostile_case *c, int dev, int in, int out)
{
	struct storm storm = {0};
	struct verdict v = {0};
	struct hostile h;
	long forced = 0;
	pthread_t st;
	double t0;
	char b = 0;

	pin(pthread_self(), 1);
	n_fail = 0;
	hostile_open(&h, dev, c->name);
	if (!strcmp(c->name, "critical-forever")) {
		/* Inside before the first injection: none is due unforced. */
		pvabi_st32(PVABI_LE, &h.v.mp->dlv.irq_enabled, 1);
		enter(&h.v);
	}
	if (!c->act[0]) {
		storm.h = &h;
		bad_buffers_setup(&storm.ro, &storm.hole);
		forced = bad_negotiate_once(&h, storm.ro, storm.hole);
		spawn(&st, act_bad_storm, &storm, 1);
	}
	t0 = now();
	hostile_run(&h, c->act);
	if (write(out, &b, 1) != 1 || read(in, &b, 1) != 1)
		die("hostile process pipe");
	hostile_stop(&h);
	if (!c->act[0]) {
		pthread_join(st, NULL);
		result(!storm.wrong && storm.rounds > 0,
		       "bad-negotiate: %ld rounds of every bad request on "
		       "fresh vCPUs beside the good one, each refused as "
		       "documented (%ld not)",
		       storm.rounds, storm.wrong);
		munmap(storm.ro, 2 * PVABI_PAGE_SIZE);
	}
	printf("# %s: hostile phase %.2f s\n", c->name, now() - t0);
	hostile_checks(c->name, &h);
	v.lost = hostile_settle(&h, c->name, &v.forced, &v.dup);
	v.forced += forced;
	hostile_close(&h);
	v.fails = n_fail;
	fflush(stdout);
	if (write(out, &v, sizeof(v)) != sizeof(v))
		_exit(1);
	_exit(0);
}

int case_hostile(const char *name)
{
	const struct hostile_case *c = NULL;
	long ms = env_long("PVABI_HOSTILE_MS", 1000), lost;
	struct verdict v = {.fails = 1};
	int dev, fails = n_fail, to[2], from[2];
	struct good g;
	unsigned int i;
	pid_t pid;
	char b = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(cases[i].name, name))
			c = &cases[i];
	if (!c)
		return 2;
	rng_state = env_long("PVABI_HOSTILE_SEED", 0x9e3779b97f4a7c15ll) ^
		    (c - cases);
	printf("# %s: seed %#" PRIx64 ", latency phases of %ld ms\n", name,
	       rng_state, ms);
	dev = dev_open();
	good_start(&g, dev, "good");
	g.n_alone = good_measure(&g, ms, &g.p50_alone, &g.p99_alone);

	if (pipe(to) || pipe(from))
		die("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* Not the good VM's: its pages stay out of this process. */
		vcpu_close(&g.v);
		close(g.vm);
		hostile_process(c, dev, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	if (read(from[0], &b, 1) == 1) {
		sleep_ms(50);
		g.n_next = good_measure(&g, ms, &g.p50, &g.p99);
		if (write(to[1], &b, 1) != 1 ||
		    read(from[0], &v, sizeof(v)) != sizeof(v))
			v.fails = 1;
	}
	waitpid(pid, NULL, 0);
	close(to[1]);
	close(from[0]);
	result(v.fails == 0, "%s: the hostile VMM process passed its checks",
	       name);
	lost = v.lost + good_finish(&g, name);
	if (!strcmp(name, "notify-flip"))
		lost += drain_while_flipping(name, dev, 300);
	close(dev);
	printf("# hostile: test=%s result=%s forced=%" PRId64
	       " lost=%ld dup=%ld good_p99_us=%.0f good_p99_alone_us=%.0f "
	       "ratio=%.2f\n",
	       name, n_fail == fails ? "pass" : "fail", v.forced, lost,
	       v.dup + g.dup, g.p99, g.p99_alone,
	       g.p99_alone > 0 ? g.p99 / g.p99_alone : 0);
	return 0;
}
