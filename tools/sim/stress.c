// SPDX-License-Identifier: GPL-2.0-or-later
/* The delivery stress test: real threads, real traps (stress.h). */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "guest.h"
#include "stress.h"

#define SIG_KICK SIGUSR1
/* Give up waiting for the last deliveries after this long. */
#define DRAIN_NS (5 * PVSIM_STALL_NS)
#define STEP_NS	 4000

struct vcpu {
	unsigned idx;
	struct pvabi_magic_page *page;
	struct pvabi_notify_page *np;
	struct pvabi_dlv d;
	atomic_flag lock;
	struct pvsim_guest g;
	pthread_t thread;
	bool started;
	uint64_t rng;
	/* Under the lock: */
	bool armed;
	uint64_t timer_ns; /* 0: no timer */
	bool any;
	uint32_t last;
	bool bound_kick;       /* the time bound asked for the next exit */
	bool bound_exit;       /* this exit is the one the bound asked for */
	uint64_t kick_ns;      /* when the oldest kick not yet taken was sent */
	struct pvsim_result r; /* this vCPU's share of the counters */
	/* The guest thread's own: */
	volatile sig_atomic_t idle;
	atomic_uint wake; /* futex word, bumped by every delivery */
};

struct run {
	struct pvsim_opts o;
	struct vcpu *v;
	uint64_t *inject_ns; /* per vector */
	uint8_t *count;	     /* deliveries per vector */
	atomic_bool stop;
	atomic_uint ready; /* guest threads that can take kicks */
};

static struct run *run;
static __thread struct vcpu *self;

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64*: plenty for picking delays and templates. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static void spin_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		relax();
}

static void lock(struct vcpu *v)
{
	unsigned spins = 0;

	while (atomic_flag_test_and_set_explicit(&v->lock,
						 memory_order_acquire))
		if (++spins % 256 == 0)
			sched_yield();
		else
			relax();
}

static void unlock(struct vcpu *v)
{
	atomic_flag_clear_explicit(&v->lock, memory_order_release);
}

static void kick(struct vcpu *v)
{
	v->r.kicks++;
	if (!v->kick_ns)
		v->kick_ns = now_ns();
	pthread_kill(v->thread, SIG_KICK);
}

/* The guest's interrupt handler: it records and returns at once. */
static void deliver(struct vcpu *v, uint32_t vec, bool forced, uint64_t t)
{
	uint64_t delay;

	if (vec >= run->o.injections || run->count[vec]) {
		v->r.duplicated++;
		return;
	}
	run->count[vec] = 1;
	v->r.delivered++;
	if (forced)
		v->r.forced++;
	else if (!pvsim_guest_can_take(&v->g))
		v->r.in_critical++;
	if (v->any && vec <= v->last)
		v->r.reordered++;
	v->any = true;
	v->last = vec;
	delay = t - run->inject_ns[vec];
	if (delay > v->r.max_delay_ns)
		v->r.max_delay_ns = delay;
	/* Late because nothing but the bound brought the host back, while the
	 * guest idled with interrupts on.  (A kick the OS took 100 ms to
	 * deliver is the scheduler's delay, not the protocol's: it shows in
	 * max_delay_ns only.) */
	if (delay >= PVSIM_STALL_NS && v->idle && v->g.ee && v->bound_exit)
		v->r.stalled++;
	atomic_fetch_add(&v->wake, 1);
}

/* The backend: do what the machine says.  Called with the lock held, on
 * the guest thread (exits and traps) or the host thread (ticks). */
static void perform(struct vcpu *v, struct pvabi_dlv_action *act)
{
	struct pvabi_dlv_regs regs = pvsim_guest_regs(&v->g);

	for (;;) {
		if ((act->flags & PVABI_DLV_DISARM) && v->armed) {
			mprotect(v->np, sizeof(*v->np), PROT_READ | PROT_WRITE);
			v->armed = false;
		}
		if ((act->flags & PVABI_DLV_ARM) && !v->armed) {
			mprotect(v->np, sizeof(*v->np), PROT_READ);
			v->armed = true;
		}
		if (act->flags & PVABI_DLV_TIMER)
			v->timer_ns = act->deadline_ns;
		if (act->flags & PVABI_DLV_KICK)
			kick(v);
		if (!(act->flags & PVABI_DLV_DELIVER))
			break;
		deliver(v, act->vector, act->flags & PVABI_DLV_FORCED,
			now_ns());
		pvabi_dlv_entry(&v->d, &regs, now_ns(), act);
	}
	if (!(pvabi_dlv_flags(&v->d) & PVABI_DLV_S_DEFERRED))
		v->timer_ns = 0;
}

static void guest_exit(struct vcpu *v, bool kicked)
{
	struct pvabi_dlv_regs regs = pvsim_guest_regs(&v->g);
	struct pvabi_dlv_action act;

	lock(v);
	v->bound_exit = v->bound_kick;
	v->bound_kick = false;
	if (kicked && v->kick_ns) {
		uint64_t lat = now_ns() - v->kick_ns;

		if (lat > v->r.max_kick_ns)
			v->r.max_kick_ns = lat;
		v->kick_ns = 0;
	}
	pvabi_dlv_exit(&v->d, &regs, now_ns(), &act);
	perform(v, &act);
	v->bound_exit = false;
	unlock(v);
}

static void on_kick(int sig)
{
	int saved = errno;

	(void)sig;
	if (self)
		guest_exit(self, true);
	errno = saved;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	struct vcpu *v = self;
	struct pvabi_dlv_regs regs;
	struct pvabi_dlv_action act;
	int saved = errno;

	(void)uc;
	if (!v || (char *)si->si_addr < (char *)v->np ||
	    (char *)si->si_addr >= (char *)v->np + sizeof(*v->np)) {
		/* Not our doorbell: a real crash. */
		signal(sig, SIG_DFL);
		return;
	}
	regs = pvsim_guest_regs(&v->g);
	lock(v);
	pvabi_dlv_notify_trap(&v->d, &regs, now_ns(), &act);
	v->r.notify_traps++;
	perform(v, &act);
	unlock(v);
	errno = saved;
}

/* A trapping template instruction: an exit the guest makes itself.  The
 * kick signal stays blocked meanwhile: its handler takes the same lock. */
static void guest_trap(struct vcpu *v)
{
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	guest_exit(v, false);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void run_template(struct vcpu *v, const struct pvsim_template *t)
{
	enum pvsim_step s;

	pvsim_guest_start(&v->g, t);
	do {
		/* Up to STEP_NS between steps: a kick takes microseconds
		 * to land, and it must be able to land on every step. */
		spin_ns(rnd(&v->rng) % STEP_NS);
		s = pvsim_guest_step(&v->g);
		if (s == PVSIM_STEP_TRAP)
			guest_trap(v);
	} while (s != PVSIM_STEP_DONE);
}

static void futex_wait(atomic_uint *word, unsigned val)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(atomic_uint *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *guest_main(void *arg)
{
	struct vcpu *v = arg;

	self = v;
	/* The first entry: from here on kicks reach this vCPU. */
	guest_trap(v);
	atomic_fetch_add(&run->ready, 1);
	while (!atomic_load(&run->stop)) {
		unsigned burst = 1 + rnd(&v->rng) % 4, w;

		while (burst--)
			run_template(v, &pvsim_templates[rnd(&v->rng) %
							 pvsim_n_templates]);
		if (!v->g.ee)
			run_template(v, pvsim_wrteei_1);
		/* Idle, tickless: nothing but an interrupt ends it. */
		w = atomic_load(&v->wake);
		v->idle = 1;
		while (atomic_load(&v->wake) == w && !atomic_load(&run->stop))
			futex_wait(&v->wake, w);
		v->idle = 0;
	}
	return NULL;
}

static void poll_timers(void)
{
	for (unsigned i = 0; i < run->o.vcpus; i++) {
		struct vcpu *v = &run->v[i];
		struct pvabi_dlv_action act;
		uint64_t t = now_ns();

		lock(v);
		if (v->timer_ns && t >= v->timer_ns) {
			v->timer_ns = 0;
			pvabi_dlv_tick(&v->d, t, &act);
			if (act.flags & PVABI_DLV_KICK)
				v->bound_kick = true;
			perform(v, &act);
		}
		unlock(v);
	}
}

/* Wait about ns nanoseconds, running timers. */
static void host_wait(uint64_t ns)
{
	spin_ns(ns);
	poll_timers();
}

static void inject_one(struct vcpu *v, uint32_t vec)
{
	struct pvabi_dlv_action act;
	int rc;

	for (;;) {
		lock(v);
		run->inject_ns[vec] = now_ns();
		rc = pvabi_dlv_inject(&v->d, vec, run->inject_ns[vec], &act);
		if (rc == 0 && (act.flags & PVABI_DLV_KICK))
			kick(v);
		unlock(v);
		if (rc != PVABI_E_BUSY)
			break;
		/* Queue full: the device keeps the line up and tries again
		 * once the guest has taken something. */
		v->r.refused++;
		usleep(50);
		poll_timers();
	}
	if (rc == 0)
		v->r.injected++;
}

static void host_main(uint64_t *rng)
{
	for (uint64_t seq = 0; seq < run->o.injections; seq++) {
		struct vcpu *v = &run->v[rnd(rng) % run->o.vcpus];
		uint64_t end;

		switch (rnd(rng) % 4) {
		case 0: break; /* back to back */
		case 1:
		case 2: /* right when the guest is inside */
			end = now_ns() + 20000;
			while (pvabi_ld64(v->d.bo, &v->page->dlv.critical) !=
				       v->g.r1 &&
			       now_ns() < end)
				relax();
			break;
		default: host_wait(rnd(rng) % 20000); break;
		}
		inject_one(v, (uint32_t)seq);
	}
}

/* Until every vector is delivered or DRAIN_NS passed. */
static void drain(void)
{
	uint64_t end = now_ns() + DRAIN_NS;

	for (;;) {
		uint64_t got = 0;

		for (unsigned i = 0; i < run->o.vcpus; i++) {
			lock(&run->v[i]);
			got += run->v[i].r.delivered;
			unlock(&run->v[i]);
		}
		if (got >= run->o.injections || now_ns() >= end)
			return;
		usleep(1000);
		poll_timers();
	}
}

static int setup_vcpu(struct vcpu *v, unsigned idx)
{
	struct pvabi_dlv_config cfg;
	/* Odd vCPUs have a big-endian guest, as a PowerPC guest on this
	 * host would. */
	enum pvabi_byte_order bo = idx % 2 ? PVABI_BE : PVABI_LE;

	v->idx = idx;
	atomic_flag_clear(&v->lock);
	v->rng = run->o.seed * 0x9e3779b97f4a7c15ull + idx + 1;
	v->page = mmap(NULL, sizeof(*v->page), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	v->np = mmap(NULL, sizeof(*v->np), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->page == MAP_FAILED || v->np == MAP_FAILED)
		return -errno;
	pvabi_dlv_config_default(&cfg);
	cfg.bound_ns = PVSIM_STALL_NS;
	if (!run->o.notify)
		cfg.flags &= ~PVABI_DLV_CFG_NOTIFY;
	if (pvabi_dlv_init(&v->d, v->page, bo, &cfg))
		return -EINVAL;
	pvsim_guest_init(&v->g, v->page, &v->np->doorbell, bo,
			 0x00007fff00001230ull + ((uint64_t)idx << 16),
			 0xc0ffeeull);
	return 0;
}

static void teardown(void)
{
	for (unsigned i = 0; run->v && i < run->o.vcpus; i++) {
		struct vcpu *v = &run->v[i];

		if (v->started) {
			atomic_store(&run->stop, true);
			atomic_fetch_add(&v->wake, 1);
			futex_wake(&v->wake);
			pthread_join(v->thread, NULL);
		}
		if (v->page && v->page != MAP_FAILED)
			munmap(v->page, sizeof(*v->page));
		if (v->np && v->np != MAP_FAILED)
			munmap(v->np, sizeof(*v->np));
	}
	free(run->v);
	free(run->inject_ns);
	free(run->count);
}

static void total(struct pvsim_result *res)
{
	memset(res, 0, sizeof(*res));
	for (unsigned i = 0; i < run->o.vcpus; i++) {
		struct vcpu *v = &run->v[i];
		struct pvabi_dlv_stats st;

		pvabi_dlv_get_stats(&v->d, &st);
		res->injected += v->r.injected;
		res->delivered += v->r.delivered;
		res->duplicated += v->r.duplicated;
		res->reordered += v->r.reordered;
		res->stalled += v->r.stalled;
		res->in_critical += v->r.in_critical;
		res->forced += v->r.forced;
		res->deferred += st.deferred;
		res->notify_traps += v->r.notify_traps;
		res->kicks += v->r.kicks;
		res->refused += v->r.refused;
		if (v->r.max_delay_ns > res->max_delay_ns)
			res->max_delay_ns = v->r.max_delay_ns;
		if (v->r.max_kick_ns > res->max_kick_ns)
			res->max_kick_ns = v->r.max_kick_ns;
	}
	for (uint64_t i = 0; i < run->o.injections; i++)
		res->lost += !run->count[i];
}

int pvsim_run(const struct pvsim_opts *opts, struct pvsim_result *res)
{
	static struct run r;
	struct sigaction sa;
	sigset_t set, old;
	uint64_t rng, t0;
	int err = 0;

	if (!opts || !res || !opts->vcpus || opts->vcpus > PVSIM_MAX_VCPUS ||
	    !opts->injections || opts->injections > UINT32_MAX)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.o = *opts;
	run = &r;
	pthread_sigmask(SIG_SETMASK, NULL, &old);
	r.v = calloc(opts->vcpus, sizeof(*r.v));
	r.inject_ns = calloc(opts->injections, sizeof(*r.inject_ns));
	r.count = calloc(opts->injections, sizeof(*r.count));
	if (!r.v || !r.inject_ns || !r.count) {
		err = -ENOMEM;
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;
	sigemptyset(&sa.sa_mask);
	sigaction(SIG_KICK, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIG_KICK);
	sigaction(SIGSEGV, &sa, NULL);
	/* Only guest threads take kicks. */
	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_BLOCK, &set, &old);

	for (unsigned i = 0; i < opts->vcpus; i++) {
		err = setup_vcpu(&r.v[i], i);
		if (err)
			goto out;
	}
	for (unsigned i = 0; i < opts->vcpus; i++) {
		sigset_t none;

		/* The guest thread inherits a mask without SIG_KICK. */
		sigemptyset(&none);
		pthread_sigmask(SIG_SETMASK, &none, NULL);
		err = -pthread_create(&r.v[i].thread, NULL, guest_main,
				      &r.v[i]);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		if (err)
			goto out;
		r.v[i].started = true;
	}

	while (atomic_load(&r.ready) < opts->vcpus)
		sched_yield();
	t0 = now_ns();
	rng = opts->seed ^ 0x6a09e667f3bcc909ull;
	if (!rng)
		rng = 1;
	host_main(&rng);
	drain();
	res->seconds = (double)(now_ns() - t0) / 1e9;
	atomic_store(&r.stop, true);
	for (unsigned i = 0; i < opts->vcpus; i++) {
		atomic_fetch_add(&r.v[i].wake, 1);
		futex_wake(&r.v[i].wake);
		pthread_join(r.v[i].thread, NULL);
		r.v[i].started = false;
	}
	{
		double secs = res->seconds;

		total(res);
		res->seconds = secs;
	}
out:
	teardown();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	signal(SIGSEGV, SIG_DFL);
	signal(SIG_KICK, SIG_DFL);
	run = NULL;
	return err;
}
