// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvabi-test region: region mode (PVABI_VM_REGION) as a stock QEMU with
 * ivshmem-doorbell uses it.  The parent is the control plane: it creates
 * the VM and its region, hands out the eventfds and injects through the
 * generic netlink family.  A forked child is QEMU and its guest at once:
 * it maps the region as the BAR, negotiates through the control page and
 * the doorbell eventfd, runs critical sections on the magic page, takes
 * each post from the control page when irq_fd fires and acknowledges it.
 * The control page is little-endian; so is this machine (x86).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "genl_client.h"
#include "ivshmem_proto.h"
#include "pvabi/access.h"
#include "pvabi/error.h"

#include "guest.h"

#define N_VCPUS 2
#define VEC0	1000u

#define LOAD(p)	    __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define FENCE()	    atomic_thread_fence(memory_order_seq_cst)

struct guest {
	struct pvabi_region_ctl *ctl;
	struct pvabi_region_slot *slot;
	struct pvabi_magic_page *mp;
	struct pvabi_notify_page *np;
	int db, irq, to_parent, from_parent;
	uint16_t taken_seq;
	uint32_t expect; /* the next vector in injection order */
	long taken, lost, dup;
};

/* ------------------------------------------------------- the guest side */

static void ring(const struct guest *g)
{
	uint64_t one = 1;

	if (write(g->db, &one, sizeof(one)) != sizeof(one))
		die("doorbell write");
}

static int irq_ready(const struct guest *g, int ms)
{
	struct pollfd p = {.fd = g->irq, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

static int inside(const struct guest *g)
{
	return pvabi_ld64(PVABI_LE, &g->mp->dlv.critical) != 0;
}

static void enter_section(const struct guest *g)
{
	pvabi_st64(PVABI_LE, &g->mp->dlv.critical, TOKEN);
	FENCE();
}

static void leave_section(const struct guest *g)
{
	pvabi_st64(PVABI_LE, &g->mp->dlv.critical, 0);
	FENCE();
}

/*
 * The interrupt handler: declines inside a section or with interrupts off
 * (rings without acknowledging), ignores a repeat of a post it took,
 * otherwise takes the post, acknowledges it and rings.  Returns 1 when it
 * took a new vector.
 */
static int handler(struct guest *g)
{
	uint64_t cnt;
	uint32_t vec;
	uint16_t seq;

	if (read(g->irq, &cnt, sizeof(cnt)) != sizeof(cnt))
		return 0;
	if (inside(g) || !pvabi_ld32(PVABI_LE, &g->mp->dlv.irq_enabled)) {
		ring(g);
		return 0;
	}
	seq = LOAD(&g->slot->post_seq);
	if (seq == g->taken_seq)
		return 0;
	vec = LOAD(&g->slot->post_vector);
	if (vec < g->expect)
		g->dup++;
	else
		g->lost += vec - g->expect;
	g->expect = vec + 1;
	g->taken_seq = seq;
	g->taken++;
	STORE(&g->slot->ack_seq, seq);
	ring(g);
	return 1;
}

/* Wait up to @ms for the next vector; 1 if one was taken. */
static int take_next(struct guest *g, int ms)
{
	double end = now() + ms / 1e3;

	while (now() < end)
		if (irq_ready(g, 50) && handler(g))
			return 1;
	return 0;
}

/*
 * Wait until the module has handled the last acknowledging ring (it
 * clears int_pending when nothing is left): a ring still in flight is an
 * exit that may deliver by itself, which the episodes below must not see.
 */
static void settle(const struct guest *g)
{
	for (int i = 0; i < 1000; i++) {
		if (!pvabi_ld32(PVABI_LE, &g->mp->dlv.int_pending))
			return;
		sleep_ms(1);
	}
}

/* Ask the parent to inject @vec and wait until it has. */
static void ask_inject(const struct guest *g, uint32_t vec)
{
	char c;

	if (write(g->to_parent, &vec, sizeof(vec)) != sizeof(vec) ||
	    read(g->from_parent, &c, 1) != 1)
		die("parent pipe");
}

/* Negotiate through @slot; returns ans_status. */
static int32_t region_negotiate(struct guest *g, struct pvabi_region_slot *s,
				uint64_t wanted, uint8_t reserved,
				uint64_t *features)
{
	uint32_t seq = LOAD(&s->req_seq) + 1;
	double end = now() + 5;

	s->req_min = PVABI_VERSION_PACKED(1, 0);
	s->req_max = PVABI_VERSION_PACKED(1, 0xffff);
	s->req_wanted = wanted;
	s->req_required = wanted;
	s->req_byte_order = PVABI_BYTE_ORDER_LITTLE;
	s->req_reserved[1] = reserved;
	STORE(&s->req_seq, seq);
	ring(g);
	while (LOAD(&s->ans_seq) != seq && now() < end)
		sleep_ms(1);
	if (LOAD(&s->ans_seq) != seq)
		return 1;
	*features = s->ans_features;
	return (int32_t)s->ans_status;
}

static void guest_negotiate(struct guest *g, int db1)
{
	const uint64_t want = PVABI_F_NOTIFY | PVABI_F_NESTING;
	struct guest g1 = *g;
	uint64_t f = 0;
	int32_t st;

	g1.db = db1;
	st = region_negotiate(&g1, &g->ctl->slot[1], PVABI_F_NOTIFY, 0, &f);
	result(st == PVABI_E_NOFEATURE,
	       "region: a request without PVABI_F_NESTING is refused in the "
	       "slot (status %d)",
	       st);
	st = region_negotiate(&g1, &g->ctl->slot[1], want, 7, &f);
	result(st == PVABI_E_RESERVED,
	       "region: a request with a reserved byte set is refused "
	       "(status %d)",
	       st);
	g->ctl->slot[1].req_reserved[1] = 0;
	st = region_negotiate(&g1, &g->ctl->slot[1], want, 0, &f);
	result(st > 0 && f == want,
	       "region: vCPU 1 negotiates through its slot (status %#x)", st);
	st = region_negotiate(g, g->slot, want, 0, &f);
	result(st > 0 && (st >> 16) == 1 && f == want &&
		       pvabi_ld32(PVABI_LE, &g->mp->hdr.magic) == PVABI_MAGIC &&
		       pvabi_ld16(PVABI_LE, &g->mp->hdr.minor) ==
			       (uint16_t)st &&
		       pvabi_ld64(PVABI_LE, &g->mp->hdr.features) == want &&
		       pvabi_ld64(PVABI_LE, &g->mp->hdr.magic_gpa) == 0x1000 &&
		       pvabi_ld64(PVABI_LE, &g->mp->hdr.notify_gpa) == 0x2000,
	       "region: vCPU 0 negotiates %#x, the magic page's header "
	       "holds the region offsets",
	       st);
	/* Virtual interrupts on, as a booted guest has them. */
	pvabi_st32(PVABI_LE, &g->mp->dlv.irq_enabled, 1);
	FENCE();
}

/* Sections held across injections; the notification store delivers. */
static long guest_sections(struct guest *g, uint32_t *vec, int n)
{
	long deferred = 0, held = 0;

	for (int i = 0; i < n; i++) {
		int h;

		settle(g);
		enter_section(g);
		ask_inject(g, (*vec)++);
		h = !irq_ready(g, 0) &&
		    pvabi_ld32(PVABI_LE, &g->mp->dlv.int_pending);
		leave_section(g);
		pvabi_st64(PVABI_LE, &g->np->doorbell, i); /* traps */
		held += h;
		/* Posted in the fault, before the store completed. */
		if (h && irq_ready(g, 0) && handler(g))
			deferred++;
		else
			take_next(g, 2000);
	}
	result(held == n && deferred == n,
	       "region: %d injections inside a section were held back (%ld) "
	       "and delivered by the doorbell store (%ld)",
	       n, held, deferred);
	return deferred;
}

/* A post that lands inside a section is declined and comes back after. */
static void guest_decline(struct guest *g, uint32_t *vec, int n)
{
	int early = 0, later = 0;

	for (int i = 0; i < n; i++) {
		settle(g);
		ask_inject(g, (*vec)++); /* outside: posted at once */
		enter_section(g);
		if (irq_ready(g, 1000))
			handler(g); /* inside: declines */
		sleep_ms(20);
		early += irq_ready(g, 0);
		leave_section(g);
		pvabi_st64(PVABI_LE, &g->np->doorbell, i);
		later += take_next(g, 2000);
	}
	result(!early && later == n,
	       "region: %d posts declined inside a section: none signalled "
	       "again while inside (%d), each taken after it (%d)",
	       n, early, later);
}

/* Interrupts off: nothing is posted; the enable template's ring takes. */
static void guest_masked(struct guest *g, uint32_t *vec, int n)
{
	int quiet = 0, later = 0;

	for (int i = 0; i < n; i++) {
		settle(g);
		pvabi_st32(PVABI_LE, &g->mp->dlv.irq_enabled, 0);
		FENCE();
		ask_inject(g, (*vec)++);
		quiet += !irq_ready(g, 20);
		pvabi_st32(PVABI_LE, &g->mp->dlv.irq_enabled, 1);
		FENCE();
		if (pvabi_ld32(PVABI_LE, &g->mp->dlv.int_pending))
			ring(g); /* the template's trap */
		later += take_next(g, 2000);
	}
	result(quiet == n && later == n,
	       "region: %d injections with interrupts off wait (%d) and the "
	       "enable's ring delivers them (%d)",
	       n, quiet, later);
}

/* The VMM reads an armed notification page: not a ring. */
static void guest_vmm_read(struct guest *g, uint32_t *vec, int n)
{
	volatile uint64_t *bell = (volatile uint64_t *)&g->np->doorbell;
	int quiet = 0, later = 0;
	uint64_t sum = 0;

	for (int i = 0; i < n; i++) {
		settle(g);
		enter_section(g);
		ask_inject(g, (*vec)++); /* deferred: the page is unmapped */
		leave_section(g);
		sum += *bell; /* QEMU saving the BAR: a read fault */
		quiet += !irq_ready(g, 20);
		*bell = i; /* the guest's store: pfn_mkwrite rings */
		later += take_next(g, 2000);
	}
	result(quiet == n && later == n,
	       "region: %d reads of an armed notification page were no ring "
	       "(%d); the store after each was (%d)",
	       n, quiet, later);
	(void)sum;
}

static void guest_stream(struct guest *g, uint32_t *vec, uint32_t n)
{
	uint32_t cmd[3] = {0xffffffffu, *vec, n};
	long before = g->taken;

	if (write(g->to_parent, cmd, sizeof(cmd)) != sizeof(cmd))
		die("parent pipe");
	while (g->taken - before < n && take_next(g, 5000))
		;
	*vec += n;
	result(g->taken - before == n,
	       "region: a stream of %u injections was taken, %ld of them", n,
	       g->taken - before);
}

static int guest_main(struct guest *g, int region, uint64_t size, int db1,
		      long stream)
{
	uint32_t vec = VEC0, stop = 0;
	uint8_t *base;
	long deferred;

	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, region, 0);
	if (base == MAP_FAILED)
		die("mmap region");
	g->ctl = (void *)base;
	g->slot = &g->ctl->slot[0];
	g->mp = (void *)(base + 0x1000);
	g->np = (void *)(base + 0x2000);
	g->expect = VEC0;
	guest_negotiate(g, db1);
	deferred = guest_sections(g, &vec, 100);
	guest_decline(g, &vec, 20);
	guest_masked(g, &vec, 20);
	guest_vmm_read(g, &vec, 20);
	guest_stream(g, &vec, stream - (vec - VEC0));
	g->lost += vec - g->expect;
	result(g->lost == 0 && g->dup == 0 && g->taken == (long)(vec - VEC0),
	       "region: every vector taken once, in order (taken %ld, lost "
	       "%ld, duplicated %ld)",
	       g->taken, g->lost, g->dup);
	printf("# kmod-region: injected %u delivered %ld lost %ld duplicated "
	       "%ld deferred %ld\n",
	       vec - VEC0, g->taken, g->lost, g->dup, deferred);
	if (write(g->to_parent, &stop, sizeof(stop)) != sizeof(stop))
		die("parent pipe");
	return n_fail ? 1 : 0;
}

/* -------------------------------------------------- the control plane */

static int inject1(struct pvctl_genl *g, uint32_t id, uint32_t vec)
{
	int err;

	while ((err = pvctl_genl_inject(g, id, 0, vec)) == -EBUSY)
		usleep(200);
	return err;
}

static int find_vcpu0(const struct pvctl_genl_vm *vm, void *arg)
{
	for (uint32_t i = 0; i < vm->n_vcpus; i++)
		if (vm->vcpus[i].index == 0)
			*(struct pvctl_genl_vcpu *)arg = vm->vcpus[i];
	return 0;
}

/*
 * Serve the child's injection requests until it says stop (vector 0):
 * one vector, or 0xffffffff, a first vector and a count to stream.
 */
static long parent_serve(int from_child, int to_child, uint32_t id)
{
	struct pvctl_genl *g;
	uint32_t vec, n;
	long injected = 0;
	int bad = 0;

	if (pvctl_genl_open(&g))
		die("genl open");
	while (read(from_child, &vec, sizeof(vec)) == sizeof(vec) && vec) {
		if (vec != 0xffffffffu) {
			bad += inject1(g, id, vec) != 0;
			injected++;
			if (write(to_child, "k", 1) != 1)
				break;
			continue;
		}
		if (read(from_child, &vec, sizeof(vec)) != sizeof(vec) ||
		    read(from_child, &n, sizeof(n)) != sizeof(n))
			break;
		for (uint32_t i = 0; i < n; i++, injected++)
			bad += inject1(g, id, vec + i) != 0;
	}
	pvctl_genl_close(g);
	result(!bad, "region: every PVABI_CMD_INJECT succeeded (%d failed)",
	       bad);
	return injected;
}

static int set_fds(int vm, uint32_t vcpu, int db, int irq)
{
	struct pvabi_vm_vcpu_fds f = {
		.vcpu = vcpu, .doorbell_fd = db, .irq_fd = irq};

	return ioctl(vm, PVABI_VM_SET_VCPU_FDS, &f);
}

void case_region(long stream)
{
	struct pvctl_genl_policy pol = {
		.present = 1u << PVABI_POLICY_A_DEFER_US |
			   1u << PVABI_POLICY_A_FEATURES,
		.defer_us = 1000000,
		.features = PVABI_F_ALL_1_0 | PVABI_F_NESTING,
	};
	struct pvabi_vm_region r = {.n_vcpus = N_VCPUS};
	int dev = dev_open(), vm, p2c[2], c2p[2], pipefd[2], status;
	int db[N_VCPUS], irq[N_VCPUS];
	struct pvctl_genl_vcpu nl = {0};
	struct pvctl_genl *g;
	int ok;
	struct guest gst = {0};
	long injected;
	struct stat st;
	uint32_t id;
	void *m;
	pid_t pid;

	vm = vm_create(dev, "region", &id);
	if (pvctl_genl_open(&g) || pvctl_genl_set_policy(g, id, 0, &pol))
		die("SET_POLICY");
	r.flags = 1;
	EXPECT_ERR(ioctl(vm, PVABI_VM_REGION, &r), EINVAL,
		   "PVABI_VM_REGION with a flag");
	r.flags = 0;
	ok = ioctl(vm, PVABI_VM_REGION, &r) >= 0;
	result(ok && r.fd >= 0 && !fstat(r.fd, &st) &&
		       (uint64_t)st.st_size == r.size && r.size == 0x8000 &&
		       !(r.size & (r.size - 1)),
	       "region: PVABI_VM_REGION gives an fd whose fstat size is the "
	       "region's, a power of two (%" PRIu64 ")",
	       (uint64_t)r.size);
	{
		struct pvabi_vm_region r2 = {.n_vcpus = 1};

		EXPECT_ERR(ioctl(vm, PVABI_VM_REGION, &r2), EBUSY,
			   "a second PVABI_VM_REGION");
	}
	EXPECT_NL(pvctl_genl_inject(g, id, 0, 1), ENOTCONN,
		  "PVABI_CMD_INJECT before the vCPU negotiated");
	errno = 0;
	m = mmap(NULL, r.size, PROT_READ | PROT_EXEC, MAP_SHARED, r.fd, 0);
	result(m == MAP_FAILED && (errno == EINVAL || errno == EPERM),
	       "region: PROT_EXEC is refused (%s)", strerror(errno));
	m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, r.fd, 0);
	result(m == MAP_FAILED, "region: MAP_PRIVATE is refused");
	m = mmap(NULL, 2 * r.size, PROT_READ, MAP_SHARED, r.fd, 0);
	result(m == MAP_FAILED, "region: a mapping past its size is refused");
	m = mmap(NULL, r.size, PROT_READ, MAP_SHARED, r.fd, 0);
	result(m != MAP_FAILED &&
		       ((struct pvabi_region_ctl *)m)->magic ==
			       PVABI_REGION_MAGIC &&
		       ((struct pvabi_region_ctl *)m)->layout ==
			       PVABI_REGION_LAYOUT &&
		       ((struct pvabi_region_ctl *)m)->n_vcpus == N_VCPUS &&
		       (((struct pvabi_region_ctl *)m)->offer_features &
			PVABI_F_NESTING),
	       "region: the control page's header: magic, layout, vCPUs, an "
	       "offer with PVABI_F_NESTING");
	if (m != MAP_FAILED) {
		const struct pvabi_region_ctl *c = m;
		struct pvctl_genl_policy few = pol;
		uint64_t before = c->offer_features;

		few.features = PVABI_F_NOTIFY | PVABI_F_NESTING;
		ok = !pvctl_genl_set_policy(g, id, 0, &few) &&
		     c->offer_features == few.features;
		ok = ok && !pvctl_genl_set_policy(g, id, 0, &pol) &&
		     c->offer_features == before;
		result(ok,
		       "region: a policy pushed after the region is in the "
		       "control page's offer at once (%#" PRIx64 ")",
		       (uint64_t)c->offer_features);
		munmap(m, r.size);
	}

	for (int i = 0; i < N_VCPUS; i++) {
		db[i] = eventfd(0, EFD_CLOEXEC);
		irq[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	if (pipe(pipefd))
		die("pipe");
	EXPECT_ERR(set_fds(vm, N_VCPUS, db[0], irq[0]), ENOENT,
		   "PVABI_VM_SET_VCPU_FDS past n_vcpus");
	EXPECT_ERR(set_fds(vm, 0, pipefd[0], irq[0]), EINVAL,
		   "PVABI_VM_SET_VCPU_FDS with a pipe for the doorbell");
	EXPECT_ERR(set_fds(vm, 0, -2, irq[0]), EINVAL,
		   "PVABI_VM_SET_VCPU_FDS with fd -2");
	result(!set_fds(vm, 0, db[0], irq[0]) && !set_fds(vm, 1, db[1], irq[1]),
	       "region: PVABI_VM_SET_VCPU_FDS takes each vCPU's eventfds");
	close(pipefd[0]);
	close(pipefd[1]);

	if (pipe(p2c) || pipe(c2p))
		die("pipe");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		n_fail = 0;
		gst.db = db[0];
		gst.irq = irq[0];
		gst.to_parent = c2p[1];
		gst.from_parent = p2c[0];
		_exit(guest_main(&gst, r.fd, r.size, db[1], stream));
	}
	close(c2p[1]);
	close(p2c[0]);
	injected = parent_serve(c2p[0], p2c[1], id);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		n_fail++;
	result(WIFEXITED(status),
	       "region: the guest process ran to its end (status %#x)", status);
	ok = !pvctl_genl_dump(g, id, find_vcpu0, &nl);
	result(ok && nl.stats.injected == (uint64_t)injected &&
		       nl.stats.delivered == (uint64_t)injected &&
		       !nl.stats.pending && nl.stats.deferred >= 120 &&
		       nl.stats.notify_traps >= 120,
	       "region: GET_VMS agrees: injected %" PRIu64 " delivered %" PRIu64
	       " pending %" PRIu64 " deferred %" PRIu64 " traps %" PRIu64,
	       (uint64_t)nl.stats.injected, (uint64_t)nl.stats.delivered,
	       (uint64_t)nl.stats.pending, (uint64_t)nl.stats.deferred,
	       (uint64_t)nl.stats.notify_traps);
	pvctl_genl_close(g);
	close(c2p[0]);
	close(p2c[1]);
	for (int i = 0; i < N_VCPUS; i++) {
		close(db[i]);
		close(irq[i]);
	}
	close(r.fd);
	close(vm);
	close(dev);
}

/* ----------------------------------------------- the VM's lifecycle */

/*
 * What a libvirt VM lives through, with this process as pvctld, QEMU and
 * the guest in turn: the region keeps a negotiated vCPU and its pending
 * vectors while no QEMU maps it; a new QEMU writes a saved image back over
 * it (virsh restore) and, once pvctld rings, every vector arrives in order;
 * pvctld loses its fds (kill -9) and takes the VM back by UUID with the
 * same doorbell and interrupt eventfds; a disable tells the vCPU.
 */
struct life {
	int vm, region, db, irq;
	uint64_t size;
	uint8_t *base;
	struct pvabi_region_slot *slot;
	struct pvabi_magic_page *mp;
	uint16_t taken_seq;
	uint32_t expect;
	long taken, lost;
};

static void life_map(struct life *l)
{
	l->base = mmap(NULL, l->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       l->region, 0);
	if (l->base == MAP_FAILED)
		die("mmap region");
	l->slot = &((struct pvabi_region_ctl *)l->base)->slot[0];
	l->mp = (void *)(l->base + 0x1000);
}

/* The guest's handler when irq fires: take a new post, acknowledge it. */
static int life_take(struct life *l, int ms)
{
	struct guest g = {.db = l->db, .irq = l->irq};
	double end = now() + ms / 1e3;
	uint64_t cnt;

	while (now() < end) {
		uint16_t seq;
		uint32_t vec;

		if (!irq_ready(&g, 50) ||
		    read(l->irq, &cnt, sizeof(cnt)) != sizeof(cnt))
			continue;
		seq = LOAD(&l->slot->post_seq);
		if (seq == l->taken_seq)
			continue;
		vec = LOAD(&l->slot->post_vector);
		l->lost += vec > l->expect ? vec - l->expect : 0;
		l->lost += vec < l->expect; /* a repeat counts against */
		l->expect = vec + 1;
		l->taken_seq = seq;
		l->taken++;
		STORE(&l->slot->ack_seq, seq);
		ring(&g);
		return 1;
	}
	return 0;
}

static int same_file(int a, int b)
{
	return syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, a, b) ==
	       0;
}

void case_region_life(void)
{
	static const uint8_t uuid[16] = {0x70, 0x76, 0x61, 0x62, 0x69,
					 0x2d, 0x6c, 0x69, 0x66, 0x65,
					 1,    2,    3,	   4};
	struct pvabi_create_vm cv = {.name = "life"};
	struct pvabi_open_vm ov = {.flags = 0};
	struct pvabi_vm_region r = {.n_vcpus = 1, .doorbell_id = 1};
	struct pvabi_vm_region again = {.flags = PVABI_VM_REGION_F_REOPEN};
	struct pvabi_vm_vcpu_fds got = {.vcpu = 0};
	struct guest g = {0};
	struct life l = {.expect = VEC0};
	struct pvctl_genl_policy off = {.present = 1u << PVABI_POLICY_A_ENABLED,
					.enabled = 0};
	struct pvctl_genl *nl;
	struct pvabi_region_ctl *ctl;
	int dev = dev_open(), qemu_db, vm2, status, ok;
	uint8_t *saved;
	uint64_t f = 0;
	int32_t st;
	pid_t pid;

	memcpy(cv.uuid, uuid, sizeof(uuid));
	l.vm = ioctl(dev, PVABI_CREATE_VM, &cv);
	if (l.vm < 0 || pvctl_genl_open(&nl))
		die("PVABI_CREATE_VM life");
	vm_push(cv.id);
	r.doorbell_id = PVABI_REGION_MAX_ID + 1;
	EXPECT_ERR(ioctl(l.vm, PVABI_VM_REGION, &r), EINVAL,
		   "PVABI_VM_REGION with a doorbell ID past 16 bits");
	r.doorbell_id = 1;
	l.region = ioctl(l.vm, PVABI_VM_REGION, &r);
	if (l.region < 0)
		die("PVABI_VM_REGION life");
	l.size = r.size;
	l.db = eventfd(0, EFD_CLOEXEC);
	l.irq = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	qemu_db = dup(l.db); /* QEMU's copy: it outlives pvctld's */
	if (set_fds(l.vm, 0, l.db, l.irq))
		die("SET_VCPU_FDS life");
	life_map(&l);
	ctl = (void *)l.base;
	result(ctl->doorbell_id == 1,
	       "life: the control page names the module's ivshmem peer ID "
	       "(%u)",
	       ctl->doorbell_id);
	g.db = l.db;
	st = region_negotiate(&g, l.slot, PVABI_F_NOTIFY | PVABI_F_NESTING, 0,
			      &f);
	pvabi_st32(PVABI_LE, &l.mp->dlv.irq_enabled, 1);
	FENCE();
	result(st > 0, "life: vCPU 0 negotiates (%#x)", st);
	inject1(nl, cv.id, l.expect);
	result(life_take(&l, 2000), "life: the first vector is taken");

	/* virsh save: QEMU reads the region into its image and exits. */
	saved = malloc(l.size);
	if (!saved)
		die("malloc");
	memcpy(saved, l.base, l.size);
	munmap(l.base, l.size);
	set_fds(l.vm, 0, l.db, -1); /* the server: no client, no interrupt */
	for (uint32_t v = VEC0 + 1; v < VEC0 + 4; v++)
		inject1(nl, cv.id, v); /* while the domain is saved */

	/* virsh restore: a new QEMU, fresh interrupts, the image written
	 * back over everything (the VMM's stores), then the guest runs. */
	close(l.irq);
	l.irq = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	set_fds(l.vm, 0, l.db, l.irq);
	life_map(&l);
	memcpy(l.base, saved, l.size);
	FENCE();
	result(LOAD(&l.slot->post_seq) == l.taken_seq,
	       "life: the restored image holds the old post (seq %u)",
	       LOAD(&l.slot->post_seq));
	ring(&g); /* pvctld on libvirt's started event */
	while (life_take(&l, 2000))
		;
	result(l.taken == 4 && l.lost == 0,
	       "life: after save/restore every vector injected meanwhile "
	       "arrives, in order (taken %ld of 4, lost %ld)",
	       l.taken, l.lost);

	/* pvctld is killed: its fds go; QEMU keeps the mapping and its. */
	close(l.vm);
	close(l.region);
	close(l.db);
	EXPECT_ERR(ioctl(dev, PVABI_OPEN_VM, &ov), EINVAL,
		   "PVABI_OPEN_VM without a UUID");
	memcpy(ov.uuid, uuid, sizeof(uuid));
	ov.uuid[15] ^= 0xff;
	EXPECT_ERR(ioctl(dev, PVABI_OPEN_VM, &ov), ENOENT,
		   "PVABI_OPEN_VM of an unknown UUID");
	ov.uuid[15] ^= 0xff;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(ioctl(dev, PVABI_OPEN_VM, &ov) < 0 && errno == EPERM ? 0
									   : 1);
	}
	waitpid(pid, &status, 0);
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "life: PVABI_OPEN_VM by another user: EPERM (status %#x)",
	       status);
	vm2 = ioctl(dev, PVABI_OPEN_VM, &ov);
	ok = vm2 >= 0 && ov.id == cv.id;
	result(ok, "life: PVABI_OPEN_VM finds the VM by UUID (id %u)", ov.id);
	EXPECT_ERR(ioctl(vm2, PVABI_VM_GET_VCPU_FDS,
			 &(struct pvabi_vm_vcpu_fds){.vcpu = 1}),
		   ENOENT, "PVABI_VM_GET_VCPU_FDS past n_vcpus");
	ok = ioctl(vm2, PVABI_VM_REGION, &again) >= 0 && again.size == l.size &&
	     again.n_vcpus == 1 && again.doorbell_id == 1;
	result(ok,
	       "life: the region reopens: %" PRIu64 " bytes, %u vCPU, "
	       "doorbell ID %u",
	       (uint64_t)again.size, again.n_vcpus, again.doorbell_id);
	ok = !ioctl(vm2, PVABI_VM_GET_VCPU_FDS, &got) &&
	     same_file(got.doorbell_fd, qemu_db) &&
	     same_file(got.irq_fd, l.irq);
	result(ok, "life: PVABI_VM_GET_VCPU_FDS hands back the doorbell and "
		   "interrupt QEMU uses");
	inject1(nl, cv.id, l.expect);
	g.db = qemu_db;
	l.db = qemu_db;
	result(life_take(&l, 2000) && !l.lost,
	       "life: the VM taken back still delivers");

	/* pvctl disable while it runs. */
	while (read(l.irq, &f, sizeof(f)) > 0)
		;
	pvctl_genl_set_policy(nl, cv.id, 0, &off);
	g.irq = l.irq;
	result(irq_ready(&g, 2000) &&
		       (int32_t)LOAD(&l.slot->ans_status) == PVABI_E_POLICY &&
		       !ctl->offer_max && !ctl->offer_features,
	       "life: disable tells the vCPU: an interrupt, ans_status %d, "
	       "no offer",
	       (int32_t)LOAD(&l.slot->ans_status));
	st = region_negotiate(&g, l.slot, PVABI_F_NOTIFY | PVABI_F_NESTING, 0,
			      &f);
	result(st == PVABI_E_POLICY, "life: and refuses it again (%d)", st);
	inject1(nl, cv.id, l.expect);
	result(life_take(&l, 2000) && !l.lost,
	       "life: what is injected after the disable is still delivered");
	printf("# kmod-region-life: taken %ld lost %ld\n", l.taken, l.lost);

	munmap(l.base, l.size);
	free(saved);
	pvctl_genl_close(nl);
	close(got.doorbell_fd);
	close(got.irq_fd);
	close(again.fd);
	close(vm2);
	close(qemu_db);
	close(l.irq);
	close(dev);
}

/* ------------------------------------ pvctld's socket, a QEMU's view */

/* What one client of pvctld's ivshmem socket received. */
struct client {
	int sock, region, db[2], irq[2];
	int64_t id;
};

/* Connect to @path and read the setup of a device with 2 vectors (the test
 * domain's 2 vCPUs). */
static int client_connect(const char *path, struct client *c)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct pollfd p = {.events = POLLIN};
	struct pvctl_ivshmem_rx rx;

	memset(c, -1, sizeof(*c));
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	c->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(c->sock, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	p.fd = c->sock;
	pvctl_ivshmem_rx_init(&rx, 2);
	while (!pvctl_ivshmem_rx_ready(&rx) && poll(&p, 1, 5000) == 1) {
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int))];
		} u;
		uint8_t b[8];
		struct iovec iov = {.iov_base = b, .iov_len = sizeof(b)};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = u.buf,
				    .msg_controllen = sizeof(u.buf)};
		struct cmsghdr *h;
		struct pvctl_ivshmem_msg m;
		int fd = -1, r;

		if (recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC) != sizeof(b))
			return -1;
		h = CMSG_FIRSTHDR(&mh);
		if (h && h->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(h), sizeof(int));
		r = pvctl_ivshmem_rx_feed(&rx, b, sizeof(b), fd >= 0, &m);
		if (r == PVCTL_IVSHMEM_FD_REGION)
			c->region = fd;
		else if (r == PVCTL_IVSHMEM_FD_DOORBELL && m.vector < 2)
			c->db[m.vector] = fd;
		else if (r == PVCTL_IVSHMEM_FD_IRQ && m.vector < 2)
			c->irq[m.vector] = fd;
		else if (r < 0)
			return -1;
		else if (fd >= 0)
			close(fd);
	}
	c->id = rx.id;
	return pvctl_ivshmem_rx_ready(&rx) ? 0 : -1;
}

static const uint8_t *test_uuid;

static int find_test_vm(const struct pvctl_genl_vm *vm, void *arg)
{
	if (vm->has_uuid && !memcmp(vm->uuid, test_uuid, PVABI_UUID_LEN))
		*(uint32_t *)arg = vm->id;
	return 0;
}

static void client_close(struct client *c)
{
	int *fds[] = {&c->sock,	 &c->region, &c->db[0],
		      &c->db[1], &c->irq[0], &c->irq[1]};

	for (size_t i = 0; i < sizeof(fds) / sizeof(*fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
}

/*
 * pvctld serves libvirt's test domain (enabled, 2 vCPUs) on its socket;
 * this process is its QEMU and guest: it negotiates through the region
 * pvctld handed out; pvctld is killed (-9) and started again, and a new
 * client gets the same region and doorbells, and the vCPU is still shown
 * negotiated; a disable while the domain runs keeps the socket and tells
 * the vCPU.  @sh runs a command (the caller's), @uuid_str is the domain's.
 */
void case_pvctld_socket(int (*sh)(const char *, char *, size_t),
			const char *bus, const uint8_t *uuid)
{
	struct client a, b;
	struct guest g = {0};
	struct life l = {.expect = VEC0};
	char path[128], cmd[256], out[4096];
	struct stat sa, sb;
	struct pvctl_genl *nl;
	uint32_t id = 0;
	uint64_t f = 0;
	int32_t st;
	int rc;

	memset(&a, -1, sizeof(a));
	memset(&b, -1, sizeof(b));
	test_uuid = uuid;
	snprintf(path, sizeof(path),
		 "/run/pvabi/%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x.sock",
		 uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6],
		 uuid[7], uuid[8], uuid[9], uuid[10], uuid[11], uuid[12],
		 uuid[13], uuid[14], uuid[15]);
	/* Region mode needs PVABI_F_NESTING offered (pvctld's offer was
	 * notify alone so far). */
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p /run/pvabi && kill $(cat /tmp/pvctld/pid) && "
		 "sleep 0.5 && printf 'connect = test:///default\\nfeatures "
		 "= notify,nesting\\n' >/tmp/pvctld/pvctld.conf && "
		 "/start-pvctld && %senable test >/dev/null 2>&1",
		 bus);
	rc = sh(cmd, out, sizeof(out));
	if (rc == 0 && client_connect(path, &a) < 0)
		rc = -1;
	result(rc == 0 && a.id == 0,
	       "pvctld's socket: a QEMU connects and is peer %lld (exit %d)",
	       (long long)a.id, rc);
	l.region = a.region;
	l.db = a.db[0];
	l.irq = a.irq[0];
	l.size = a.region >= 0 && !fstat(a.region, &sa) ? (uint64_t)sa.st_size
							: 0;
	if (!l.size)
		die("pvctld's region");
	life_map(&l);
	result(((struct pvabi_region_ctl *)l.base)->doorbell_id == 1,
	       "pvctld's region names the module as peer 1");
	g.db = a.db[0];
	/* The module VM appeared with this client: pvctld pushes its policy
	 * when it hears of it, until then the module refuses (fail closed). */
	for (int i = 0; i < 100; i++) {
		st = region_negotiate(&g, l.slot,
				      PVABI_F_NOTIFY | PVABI_F_NESTING, 0, &f);
		if (st != PVABI_E_POLICY)
			break;
		sleep_ms(100);
	}
	pvabi_st32(PVABI_LE, &l.mp->dlv.irq_enabled, 1);
	FENCE();
	result(st > 0, "the guest negotiates through pvctld's region (%#x)",
	       st);

	/* libvirt's test driver forgets the domain's settings with the
	 * connection: enable it again, as libvirt's metadata would say. */
	snprintf(cmd, sizeof(cmd),
		 "kill -9 $(cat /tmp/pvctld/pid) && sleep 0.5 && "
		 "/start-pvctld && %senable test >/dev/null 2>&1 && sleep 1 && "
		 "grep -c 'taken back (by its UUID)' /tmp/pvctld/log",
		 bus);
	rc = sh(cmd, out, sizeof(out));
	result(rc == 0 && atoi(out) >= 1,
	       "pvctld killed (-9) and started again takes the running VM "
	       "back by its UUID");
	snprintf(cmd, sizeof(cmd), "%sshow test", bus);
	rc = sh(cmd, out, sizeof(out));
	result(rc == 0 && strstr(out, "negotiated 1.") &&
		       strstr(out, "on vCPU 0"),
	       "pvctl show test: vCPU 0 still negotiated");
	result(client_connect(path, &b) == 0 && !fstat(b.region, &sb) &&
		       sa.st_ino == sb.st_ino && same_file(a.db[0], b.db[0]) &&
		       same_file(a.db[1], b.db[1]),
	       "a QEMU connecting to the new pvctld gets the same region and "
	       "doorbells");
	/* The new client's interrupts (the oldest of this pvctld). */
	l.irq = b.irq[0];
	if (pvctl_genl_open(&nl) || pvctl_genl_dump(nl, 0, find_test_vm, &id) ||
	    !id)
		die("the test domain's module VM");
	inject1(nl, id, l.expect);
	result(life_take(&l, 5000) && !l.lost,
	       "a vector injected after the restart reaches the guest");

	snprintf(cmd, sizeof(cmd), "%sdisable test >/dev/null 2>&1", bus);
	rc = sh(cmd, out, sizeof(out));
	sleep_ms(500);
	result(rc == 0 && !access(path, F_OK) &&
		       (int32_t)LOAD(&l.slot->ans_status) == PVABI_E_POLICY,
	       "pvctl disable of the running domain: the socket stays, the "
	       "vCPU is told (ans_status %d)",
	       (int32_t)LOAD(&l.slot->ans_status));
	pvctl_genl_close(nl);
	munmap(l.base, l.size);
	client_close(&a);
	client_close(&b);
}
