// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz: random valid and invalid calls on pvabi.ko's surface inside
 * the QEMU guest, for `make check-kernel-debug` (whose kernel reports what
 * the calls break: KASAN, lockdep, kmemleak, UBSAN).
 *   /fuzz SECONDS SEED
 * A seeded generator picks each call: open/close of /dev/pvabi, VMs and
 * vCPUs created and closed, every ioctl with random and boundary arguments
 * and pointers (NULL, unmapped, read-only, kernel addresses), mmap, munmap,
 * mremap, mprotect and loads and stores on the vCPU pages, fork (children
 * run the same loop on the inherited fds, some are killed mid-call, some
 * drop to an unprivileged user), and generic netlink messages with random
 * commands, flags and attributes.  It prints "# fuzz: seed=X", one "ok -"
 * line per check (the calls fail only with errnos the uapi documents, no
 * process dies of an unexpected signal) and "# fuzz: seconds=S seed=X
 * calls=N".  The same seed replays the same choices (the interleaving of
 * the children and the kernel's timing are not replayed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/pvabi.h>

#define N_DEV	4
#define N_VM	8
#define N_VCPU	16
#define N_MAP	16
#define N_EFD	4
#define N_CHILD 4
#define PAGE	4096

/* ------------------------------------------------------------ generator */

static uint64_t rng_state;

static uint64_t rnd(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static int chance(unsigned int percent)
{
	return below(100) < percent;
}

/* A 64-bit value drawn from the boundaries more often than not. */
static uint64_t edge64(void)
{
	static const uint64_t edges[] = {
		0,
		1,
		2,
		63,
		64,
		255,
		256,
		4095,
		4096,
		0x10000,
		0x10001,
		0x20000,
		0x7fffffff,
		0x80000000,
		0xffffffff,
		0x100000000ull,
		INT64_MAX,
		UINT64_MAX,
		UINT64_MAX - 1,
	};

	if (chance(60))
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	return chance(50) ? rnd() : rnd() & 0xffff;
}

static void fill(void *p, size_t n)
{
	unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)rnd();
}

/* ------------------------------------------------------------ state */

struct vm {
	int fd;
	uint32_t id;
};

struct map {
	void *addr;
	size_t len;
	int prot;
};

static int devs[N_DEV], efds[N_EFD];
static struct vm vms[N_VM];
static int vcpus[N_VCPU];
static struct map maps[N_MAP];
static pid_t children[N_CHILD];
static int is_child;

/* Pages for pointer arguments: one read-write, one read-only, one gone. */
static unsigned char *rw_page, *ro_page, *gone_page;

static long calls, unexpected, bad_deaths, faults, signals_seen;
static long made_vms, made_vcpus, negotiated, injected, mapped, genl_ok;
static unsigned long errs[256];

static void reset_state(void)
{
	for (int i = 0; i < N_DEV; i++)
		devs[i] = -1;
	for (int i = 0; i < N_EFD; i++)
		efds[i] = -1;
	for (int i = 0; i < N_VM; i++)
		vms[i].fd = -1;
	for (int i = 0; i < N_VCPU; i++)
		vcpus[i] = -1;
	memset(maps, 0, sizeof(maps));
}

/* Any fd the process may hold, open or closed: ioctls go to the wrong kind
 * of fd as well as the right one. */
static int any_fd(void)
{
	switch (below(5)) {
	case 0: return devs[below(N_DEV)];
	case 1: return vms[below(N_VM)].fd;
	case 2: return efds[below(N_EFD)];
	case 3: return chance(50) ? (int)below(64) : -1;
	default: return vcpus[below(N_VCPU)];
	}
}

static int some_vcpu(void)
{
	return chance(90) ? vcpus[below(N_VCPU)] : any_fd();
}

/* An argument pointer: mostly good, sometimes not. */
static void *arg_ptr(size_t size)
{
	switch (below(12)) {
	case 0: return NULL;
	case 1: return (void *)1;
	case 2: return ro_page;
	case 3: return gone_page;
	case 4: return (void *)0xffff888000000000ull; /* the direct map */
	case 5: return rw_page + PAGE - size / 2;     /* across into ro_page */
	default: return rw_page;
	}
}

/* --------------------------------------------------------- bookkeeping */

/*
 * The errnos the uapi header documents for the ioctls, plus the ones mmap
 * and the VFS give for a bad fd, a bad mapping or exhausted resources.
 */
static int errno_ok(int e)
{
	static const int ok[] = {
		EINVAL,	  EFAULT, EBADF,      ENOTTY, EEXIST, EBUSY,
		ENOTCONN, ENOSPC, EOPNOTSUPP, ENOENT, EPERM,  EACCES,
		ERANGE,	  ENODEV, ENOMEM,     EMFILE, ENFILE, EDQUOT,
		EUSERS,	  EAGAIN, EMSGSIZE,   ECHILD, EINTR,
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (e == ok[i])
			return 1;
	return 0;
}

static long note(const char *what, long r)
{
	calls++;
	if (r >= 0)
		return r;
	errs[errno & 255]++;
	if (!errno_ok(errno)) {
		if (unexpected++ < 10)
			printf("# fuzz: %s failed with errno %d (%s)\n", what,
			       errno, strerror(errno));
	}
	return r;
}

static int slot(int *fds, int n)
{
	int i = (int)below((unsigned int)n);

	if (fds[i] >= 0)
		close(fds[i]);
	fds[i] = -1;
	return i;
}

/* --------------------------------------------------------------- faults */

static sigjmp_buf touch_env;
static volatile sig_atomic_t touching;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if ((sig == SIGSEGV || sig == SIGBUS) && si->si_code > 0) {
		if (touching) {
			touching = 0;
			siglongjmp(touch_env, 1);
		}
		/* A real fault outside a probe: die of it. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	signals_seen++;
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_sigaction = on_signal,
			       .sa_flags = SA_SIGINFO | SA_RESTART};

	sigemptyset(&sa.sa_mask);
	/* Every signal SET_SIGNAL can pick is caught; glibc's own (32, 33)
	 * and SIGCHLD's default stay. */
	for (int s = 1; s < SIGRTMIN; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD && s < 32)
			sigaction(s, &sa, NULL);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaction(s, &sa, NULL);
}

static int signo(void)
{
	/* Not 32 and 33: glibc's, whose default action would end us. */
	static const int odd[] = {0,	-1,	   64,	    65,
				  1000, INT32_MIN, SIGKILL, SIGSTOP};

	if (chance(25))
		return odd[below(sizeof(odd) / sizeof(odd[0]))];
	if (chance(50))
		return SIGRTMIN +
		       (int)below((unsigned int)(SIGRTMAX - SIGRTMIN + 1));
	return chance(50) ? SIGUSR1 : SIGUSR2;
}

/* ---------------------------------------------------------------- /dev */

static void op_open(void)
{
	int i = slot(devs, N_DEV);
	int flags = chance(80) ? O_RDWR : chance(50) ? O_RDONLY : O_WRONLY;

	devs[i] = (int)note("open", open("/dev/pvabi", flags | O_CLOEXEC));
}

static void op_close(void)
{
	switch (below(4)) {
	case 0: slot(devs, N_DEV); break;
	case 1: slot(efds, N_EFD); break;
	case 2: slot(vcpus, N_VCPU); break;
	default: {
		int i = (int)below(N_VM);

		if (vms[i].fd >= 0)
			close(vms[i].fd);
		vms[i].fd = -1;
	}
	}
}

static void op_create_vm(void)
{
	struct pvabi_create_vm *cv = (void *)rw_page;
	int i = (int)below(N_VM),
	    fd = chance(85) ? devs[below(N_DEV)] : any_fd();
	long r;

	memset(cv, 0, sizeof(*cv));
	switch (below(6)) {
	case 0: /* bytes, NUL or not */ fill(cv->name, sizeof(cv->name)); break;
	case 1: /* no name, no UUID */ break;
	case 2: /* a name that may be in use */
		snprintf(cv->name, sizeof(cv->name), "fz%u", below(12));
		break;
	default:
		snprintf(cv->name, sizeof(cv->name), "fuzz-%d-%" PRIu64,
			 getpid(), rnd() & 0xffffff);
	}
	if (chance(40))
		fill(cv->uuid, chance(50) ? 1 : sizeof(cv->uuid));
	if (chance(10))
		cv->flags = (uint32_t)edge64();
	if (chance(10))
		cv->id = (uint32_t)rnd();
	r = note("CREATE_VM",
		 ioctl(fd, PVABI_CREATE_VM,
		       chance(90) ? (void *)cv : arg_ptr(sizeof(*cv))));
	if (r >= 0) {
		made_vms++;
		if (vms[i].fd >= 0)
			close(vms[i].fd);
		vms[i].fd = (int)r;
		vms[i].id = cv->id;
	}
}

static void op_create_vcpu(void)
{
	int fd = chance(90) ? vms[below(N_VM)].fd : any_fd();
	unsigned long index = chance(80) ? below(PVABI_MAX_VCPUS + 1)
					 : (unsigned long)edge64();
	long r = note("CREATE_VCPU", ioctl(fd, PVABI_CREATE_VCPU, index));
	struct pvabi_vcpu_negotiate n = {
		.min_version = 0x10000,
		.max_version = 0x10000,
		.wanted = UINT64_MAX,
		.magic_gpa = 0x10000,
		.notify_gpa = 0x11000,
		.byte_order = 1, /* PVABI_BYTE_ORDER_LITTLE */
	};

	if (r < 0)
		return;
	made_vcpus++;
	vcpus[slot(vcpus, N_VCPU)] = (int)r;
	/* Most new vCPUs go on to negotiate and take deliveries, so that
	 * the calls reach the states past negotiation too. */
	if (chance(60) &&
	    note("NEGOTIATE", ioctl((int)r, PVABI_VCPU_NEGOTIATE, &n)) == 0) {
		struct pvabi_eventfd e = {.fd = efds[below(N_EFD)]};
		struct pvabi_signal sg = {.signo = SIGUSR1};

		negotiated++;
		if (chance(50))
			note("SET_EVENTFD",
			     ioctl((int)r, PVABI_VCPU_SET_EVENTFD, &e));
		if (chance(30))
			note("SET_SIGNAL",
			     ioctl((int)r, PVABI_VCPU_SET_SIGNAL, &sg));
	}
}

static void op_negotiate(void)
{
	static const uint32_t versions[] = {
		0x10000, 0x10001, 0x10000, 0x20000, 0, 0xffff, 0xffffffff};
	struct pvabi_vcpu_negotiate *n = (void *)rw_page;
	int nv = sizeof(versions) / sizeof(versions[0]);

	memset(n, 0, sizeof(*n));
	n->min_version = chance(80) ? 0x10000 : versions[below(nv)];
	n->max_version = chance(80) ? 0x10000 : versions[below(nv)];
	n->wanted = chance(50) ? UINT64_MAX : edge64();
	n->required = chance(70) ? 0 : edge64();
	n->magic_gpa = chance(70) ? 0x10000 : edge64();
	n->notify_gpa = chance(70) ? 0x11000 : edge64();
	n->byte_order = chance(80) ? (uint8_t)below(2) : (uint8_t)rnd();
	if (chance(10))
		fill(n->pad, sizeof(n->pad));
	if (chance(10))
		n->pad2 = (uint32_t)rnd();
	if (note("NEGOTIATE",
		 ioctl(some_vcpu(), PVABI_VCPU_NEGOTIATE,
		       chance(85) ? (void *)n : arg_ptr(sizeof(*n)))) == 0)
		negotiated++;
}

/* @cmd on @fd with @arg (in rw_page) or, one time in ten, a bad pointer. */
static void arg_ioctl(const char *what, int fd, unsigned long cmd, void *arg,
		      size_t size)
{
	note(what, ioctl(fd, cmd, chance(90) ? arg : arg_ptr(size)));
}

static void op_vcpu_ioctl(void)
{
	int fd = some_vcpu();

	switch (below(7)) {
	case 0: {
		struct pvabi_regs *r = (void *)rw_page;

		r->r1 = chance(50) ? 0x7ffdf00dcafe0ull : edge64();
		r->msr = chance(50) ? 0 : edge64();
		arg_ioctl("SET_REGS", fd, PVABI_VCPU_SET_REGS, r, sizeof(*r));
		break;
	}
	case 1: {
		struct pvabi_eventfd *e = (void *)rw_page;

		e->fd = chance(60)   ? efds[below(N_EFD)]
			: chance(50) ? -1
				     : any_fd();
		e->flags = chance(90) ? 0 : (uint32_t)edge64();
		arg_ioctl("SET_EVENTFD", fd, PVABI_VCPU_SET_EVENTFD, e,
			  sizeof(*e));
		break;
	}
	case 2: {
		struct pvabi_signal *s = (void *)rw_page;

		s->signo = signo();
		s->flags = chance(90) ? 0 : (uint32_t)edge64();
		arg_ioctl("SET_SIGNAL", fd, PVABI_VCPU_SET_SIGNAL, s,
			  sizeof(*s));
		break;
	}
	case 3:
	case 4:
		if (note("INJECT",
			 ioctl(fd, PVABI_VCPU_INJECT,
			       chance(70) ? below(40)
					  : (unsigned long)edge64())) >= 0)
			injected++;
		break;
	case 5:
		note("KICK", ioctl(fd, PVABI_VCPU_KICK,
				   chance(80) ? 0 : (unsigned long)edge64()));
		break;
	default:
		note("GET_STATS",
		     ioctl(fd, PVABI_VCPU_GET_STATS,
			   chance(85)
				   ? (void *)rw_page
				   : arg_ptr(sizeof(struct pvabi_vcpu_stats))));
	}
}

/* Any command number of the module's type, any direction and size. */
static void op_raw_ioctl(void)
{
	unsigned long cmd;

	if (chance(50))
		cmd = _IOC(below(4), PVABI_IO, below(0x30), below(300));
	else
		cmd = (unsigned long)(uint32_t)rnd();
	fill(rw_page, 256);
	note("ioctl",
	     ioctl(any_fd(), cmd,
		   chance(60) ? (void *)rw_page : arg_ptr(below(300))));
}

static void op_api_version(void)
{
	note("GET_API_VERSION",
	     ioctl(chance(80) ? devs[below(N_DEV)] : any_fd(),
		   PVABI_GET_API_VERSION, (unsigned long)edge64()));
}

static void op_eventfd(void)
{
	int i = slot(efds, N_EFD);

	efds[i] = (int)note("eventfd", eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

/* --------------------------------------------------------------- pages */

static void op_mmap(void)
{
	static const off_t offs[] = {PVABI_MMAP_MAGIC_OFFSET,
				     PVABI_MMAP_NOTIFY_OFFSET, 0x2000, 0x800,
				     (off_t)1 << 40};
	static const int prots[] = {PROT_READ | PROT_WRITE, PROT_READ,
				    PROT_READ | PROT_WRITE | PROT_EXEC,
				    PROT_WRITE, PROT_NONE};
	int i = (int)below(N_MAP);
	size_t len = PAGE * (chance(80) ? 1 + below(2) : below(4));
	int prot = chance(70) ? PROT_READ | PROT_WRITE : prots[below(5)];
	off_t off = chance(80) ? offs[below(2)] : offs[below(5)];
	void *p;

	calls++;
	p = mmap(NULL, len, prot, chance(90) ? MAP_SHARED : MAP_PRIVATE,
		 some_vcpu(), off);
	if (p == MAP_FAILED) {
		note("mmap", -1);
		return;
	}
	mapped++;
	if (maps[i].addr)
		munmap(maps[i].addr, maps[i].len);
	maps[i] = (struct map){p, len, prot};
}

static void op_unmap(void)
{
	struct map *m = &maps[below(N_MAP)];

	if (!m->addr)
		return;
	if (m->len > PAGE && chance(30)) { /* the second page only */
		note("munmap", munmap((char *)m->addr + PAGE, m->len - PAGE));
		m->len = PAGE;
		return;
	}
	note("munmap", munmap(m->addr, m->len));
	m->addr = NULL;
}

static void op_remap(void)
{
	struct map *m = &maps[below(N_MAP)];
	void *p;

	if (!m->addr)
		return;
	if (chance(50)) {
		int prot = chance(50) ? PROT_READ | PROT_EXEC : PROT_READ;

		if (note("mprotect", mprotect(m->addr, m->len, prot)) == 0)
			m->prot = prot;
		return;
	}
	calls++;
	p = mremap(m->addr, m->len, m->len + PAGE * below(2), MREMAP_MAYMOVE);
	if (p == MAP_FAILED) {
		note("mremap", -1);
		return;
	}
	m->addr = p;
}

/* Loads and stores anywhere in a mapping: doorbells, the critical field,
 * the header; a fault (a read-only or refused page) is survived. */
static void op_touch(void)
{
	struct map *m = &maps[below(N_MAP)];
	int n = 1 + (int)below(16);

	if (!m->addr)
		return;
	calls++;
	if (sigsetjmp(touch_env, 1)) {
		faults++;
		return;
	}
	touching = 1;
	for (int k = 0; k < n; k++) {
		volatile uint64_t *w =
			(volatile uint64_t *)((char *)m->addr +
					      (below((unsigned int)m->len) &
					       ~7u));
		if (chance(50))
			(void)*w;
		else
			*w = chance(50) ? rnd() : 0;
	}
	touching = 0;
}

/* ------------------------------------------------------------- netlink */

static int nl_sock = -1, ev_sock = -1;
static uint16_t family;
static uint32_t events_group, seq;

static int nl_open(void)
{
	struct timeval tv = {.tv_sec = 1};
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (s >= 0)
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

struct nlbuf {
	char b[4096] __attribute__((aligned(4)));
	size_t len;
};

static struct nlattr *put(struct nlbuf *m, uint16_t type, const void *data,
			  size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->b + m->len);
	size_t need = NLA_ALIGN(NLA_HDRLEN + len);

	if (m->len + need > sizeof(m->b))
		return NULL;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, need - NLA_HDRLEN - len);
	m->len += need;
	return a;
}

static void put_u32(struct nlbuf *m, uint16_t type, uint32_t v)
{
	put(m, type, &v, sizeof(v));
}

static void start(struct nlbuf *m, uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *h = (void *)m->b;
	struct genlmsghdr *g = NLMSG_DATA(h);

	memset(m->b, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = ++seq;
	g->cmd = cmd;
	g->version = 1;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
}

static int send_msg(int s, struct nlbuf *m)
{
	struct sockaddr_nl to = {.nl_family = AF_NETLINK};

	((struct nlmsghdr *)m->b)->nlmsg_len = (uint32_t)m->len;
	return (int)sendto(s, m->b, m->len, 0, (struct sockaddr *)&to,
			   sizeof(to));
}

/*
 * Reads the replies to the last request until its NLMSG_DONE or error (or
 * a second without any): returns 0, the request's -errno, or 1 when it
 * timed out.  @cb sees every data message.
 */
static int drain(int s, void (*cb)(struct nlmsghdr *h, void *arg), void *arg)
{
	static char buf[32768] __attribute__((aligned(4)));

	for (;;) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (void *)buf;

		if (n < 0)
			return errno == EINTR ? 0 : 1;
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq) /* left from a request cut
						  * short by a signal */
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error;
			}
			if (cb)
				cb(h, arg);
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
}

static void family_cb(struct nlmsghdr *h, void *arg)
{
	struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	int len = (int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	(void)arg;
	for (;
	     len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (void *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			family = *(uint16_t *)((char *)a + NLA_HDRLEN);
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		/* groups: nest of nests of NAME and ID; pvabi has one */
		for (char *p = (char *)a + NLA_HDRLEN;
		     p + NLA_HDRLEN <= (char *)a + a->nla_len;) {
			struct nlattr *g = (void *)p;
			char *q = p + NLA_HDRLEN;

			if (g->nla_len < NLA_HDRLEN)
				break;
			while (q + NLA_HDRLEN <= p + g->nla_len) {
				struct nlattr *x = (void *)q;

				if (x->nla_len < NLA_HDRLEN)
					break;
				if (x->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					events_group =
						*(uint32_t *)(q + NLA_HDRLEN);
				q += NLA_ALIGN(x->nla_len);
			}
			p += NLA_ALIGN(g->nla_len);
		}
	}
}

static int resolve_family(void)
{
	struct nlbuf m = {.len = 0};

	nl_sock = nl_open();
	if (nl_sock < 0)
		return -1;
	start(&m, GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY);
	put(&m, CTRL_ATTR_FAMILY_NAME, PVABI_GENL_NAME,
	    sizeof(PVABI_GENL_NAME));
	if (send_msg(nl_sock, &m) < 0 || drain(nl_sock, family_cb, NULL) != 0)
		return -1;
	return family ? 0 : -1;
}

static void put_policy(struct nlbuf *m)
{
	static const uint32_t defer[] = {9, 10, 11, 1000, 1000000, 1000001, 0};
	struct nlattr *nest = put(m, PVABI_A_VM_POLICY | NLA_F_NESTED, "", 0);
	size_t at = m->len;
	int n = (int)below(6);

	if (!nest)
		return;
	for (int k = 0; k < n; k++) {
		uint16_t t = (uint16_t)below(PVABI_POLICY_A_MAX + 2);
		uint64_t v64 = edge64();

		switch (chance(80) ? t : 99) {
		case PVABI_POLICY_A_MIN_VERSION:
		case PVABI_POLICY_A_MAX_VERSION:
			put_u32(m, t, chance(60) ? 0x10000 : (uint32_t)v64);
			break;
		case PVABI_POLICY_A_FEATURES:
			put(m, t, &v64, sizeof(v64));
			break;
		case PVABI_POLICY_A_PATCH_MODE:
			put_u32(m, t,
				chance(80) ? below(PVABI_NL_PATCH_MAX + 2)
					   : (uint32_t)v64);
			break;
		case PVABI_POLICY_A_DEFER_US:
			put_u32(m, t, defer[below(7)]);
			break;
		default: { /* any type, any length */
			unsigned char junk[24];

			fill(junk, sizeof(junk));
			put(m, (uint16_t)rnd(), junk, below(sizeof(junk)));
		}
		}
	}
	nest->nla_len = (uint16_t)(NLA_HDRLEN + m->len - at);
}

static uint32_t some_vm_id(void)
{
	if (chance(80)) {
		struct vm *v = &vms[below(N_VM)];

		if (v->fd >= 0)
			return v->id;
	}
	return (uint32_t)edge64();
}

/* A request as pvctl would send it, to an existing VM mostly: the
 * commands' success paths race the ioctls too. */
static void well_formed(struct nlbuf *m, uint16_t flags)
{
	uint8_t cmd = (uint8_t)(PVABI_CMD_GET_VMS + below(3));
	struct nlattr *nest;
	size_t at;

	if (cmd == PVABI_CMD_GET_VMS)
		flags |= NLM_F_DUMP;
	start(m, family, flags, cmd);
	if (cmd != PVABI_CMD_GET_VMS || chance(30))
		put_u32(m, PVABI_A_VM_ID, some_vm_id());
	if (cmd == PVABI_CMD_INJECT) {
		put_u32(m, PVABI_A_VCPU, below(4));
		put_u32(m, PVABI_A_VECTOR, below(40));
	} else if (cmd == PVABI_CMD_SET_POLICY) {
		uint64_t features = rnd() & 0xff;

		nest = put(m, PVABI_A_VM_POLICY | NLA_F_NESTED, "", 0);
		at = m->len;
		put(m, PVABI_POLICY_A_FEATURES, &features, sizeof(features));
		put_u32(m, PVABI_POLICY_A_PATCH_MODE, 1 + below(3));
		put_u32(m, PVABI_POLICY_A_DEFER_US,
			PVABI_DEFER_US_MIN + below(100000));
		if (nest)
			nest->nla_len = (uint16_t)(NLA_HDRLEN + m->len - at);
	}
}

/* Any command, flags and attributes, now and then to another family. */
static void random_request(struct nlbuf *m, uint16_t flags)
{
	uint8_t cmd =
		chance(85) ? (uint8_t)below(PVABI_CMD_MAX + 2) : (uint8_t)rnd();
	int n = (int)below(6);

	if (cmd == PVABI_CMD_GET_VMS ? chance(90) : chance(10))
		flags |= NLM_F_DUMP;
	start(m, chance(95) ? family : (uint16_t)rnd(), flags, cmd);
	if (chance(5))
		((struct genlmsghdr *)NLMSG_DATA((struct nlmsghdr *)m->b))
			->version = (uint8_t)rnd();
	for (int k = 0; k < n; k++) {
		uint16_t t = (uint16_t)below(PVABI_A_MAX + 2);

		switch (chance(85) ? t : 99) {
		case PVABI_A_VM_ID: put_u32(m, t, some_vm_id()); break;
		case PVABI_A_VCPU:
		case PVABI_A_VECTOR:
		case PVABI_A_FLAGS:
		case PVABI_A_EVENT:
			put_u32(m, t,
				chance(60) ? below(66) : (uint32_t)edge64());
			break;
		case PVABI_A_VM_POLICY: put_policy(m); break;
		default: {
			unsigned char junk[80];

			fill(junk, sizeof(junk));
			put(m, chance(50) ? t : (uint16_t)rnd(), junk,
			    below(sizeof(junk)));
		}
		}
	}
	/* A truncated last attribute now and then. */
	if (chance(5) && m->len > NLMSG_HDRLEN + GENL_HDRLEN + 4)
		m->len -= 1 + below(4);
}

static void op_genl(void)
{
	/* Always an ack, so that every request has an answer to wait for. */
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	struct nlbuf m = {.len = 0};
	int r;

	if (nl_sock < 0)
		return;
	if (chance(35))
		well_formed(&m, flags);
	else
		random_request(&m, flags);
	calls++;
	if (send_msg(nl_sock, &m) < 0) {
		note("genl send", -1);
		return;
	}
	r = drain(nl_sock, NULL, NULL);
	if (r < 0) {
		errno = -r;
		note("genl", -1);
	} else if (r == 0) {
		genl_ok++;
	}
}

static void op_events(void)
{
	static char buf[8192];
	uint32_t g = events_group;

	if (ev_sock < 0) {
		ev_sock = nl_open();
		if (ev_sock < 0)
			return;
	}
	if (g && chance(30))
		note("events join",
		     setsockopt(ev_sock, SOL_NETLINK,
				chance(70) ? NETLINK_ADD_MEMBERSHIP
					   : NETLINK_DROP_MEMBERSHIP,
				&g, sizeof(g)));
	while (recv(ev_sock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* ------------------------------------------------------------ the loop */

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void run(double seconds);

static void reap_one(int i, int block)
{
	int st;

	if (children[i] <= 0 ||
	    waitpid(children[i], &st, block ? 0 : WNOHANG) <= 0)
		return;
	/* Killed by the parent, or exited; anything else is a crash. */
	if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL) {
		bad_deaths++;
		printf("# fuzz: child %d died of signal %d\n", children[i],
		       WTERMSIG(st));
	} else if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		bad_deaths++;
		printf("# fuzz: child %d exited with %d\n", children[i],
		       WEXITSTATUS(st));
	}
	children[i] = 0;
}

static void reap(int block)
{
	for (int i = 0; i < N_CHILD; i++)
		reap_one(i, block);
}

static void op_fork(void)
{
	int i = (int)below(N_CHILD);
	uint64_t child_seed = rnd();
	pid_t pid;

	if (is_child)
		return;
	if (children[i] > 0) {
		if (chance(50))
			kill(children[i], SIGKILL); /* mid-call, maybe */
		reap_one(i, 1);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		note("fork", -1);
		return;
	}
	if (pid == 0) {
		is_child = 1;
		memset(children, 0, sizeof(children));
		rng_state = child_seed;
		/* Some children drop every privilege first. */
		if (chance(20) &&
		    (setgroups(0, NULL) || setgid(65534) || setuid(65534)))
			_exit(3);
		/* A fresh netlink socket: the parent's is the parent's. */
		nl_sock = nl_open();
		ev_sock = -1;
		run(0.05 + 0.5 * (double)below(100) / 100.0);
		_exit(unexpected ? 4 : 0);
	}
	calls++;
	children[i] = pid;
}

static void run(double seconds)
{
	double end = now() + seconds;

	while (now() < end) {
		for (int k = 0; k < 64; k++) {
			unsigned int op = below(100);

			if (op < 4)
				op_open();
			else if (op < 10)
				op_close();
			else if (op < 16)
				op_create_vm();
			else if (op < 24)
				op_create_vcpu();
			else if (op < 32)
				op_negotiate();
			else if (op < 50)
				op_vcpu_ioctl();
			else if (op < 54)
				op_raw_ioctl();
			else if (op < 56)
				op_api_version();
			else if (op < 58)
				op_eventfd();
			else if (op < 64)
				op_mmap();
			else if (op < 67)
				op_unmap();
			else if (op < 69)
				op_remap();
			else if (op < 77)
				op_touch();
			else if (op < 92)
				op_genl();
			else if (op < 95)
				op_events();
			else if (op < 96)
				op_fork();
			else
				reap(0);
		}
	}
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 60;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
	double t0;
	long top_errno[3] = {0};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	printf("# fuzz: seed=%" PRIu64 "\n", seed);
	rng_state = seed;
	reset_state();
	rw_page = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rw_page == MAP_FAILED) {
		printf("not ok - fuzz: scratch pages: %s\n", strerror(errno));
		return 1;
	}
	ro_page = rw_page + PAGE;
	gone_page = rw_page + 2 * PAGE;
	mprotect(ro_page, PAGE, PROT_READ);
	munmap(gone_page, PAGE);
	catch_signals();
	printf("%s - fuzz: the pvabi family resolves over raw netlink\n",
	       resolve_family() == 0 ? "ok" : "not ok");

	t0 = now();
	run(seconds);
	for (int i = 0; i < N_CHILD; i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
	reap(1);
	seconds = now() - t0;

	for (int e = 1; e < 256; e++)
		for (int k = 0; k < 3; k++)
			if (errs[e] > errs[top_errno[k]]) {
				memmove(&top_errno[k + 1], &top_errno[k],
					(size_t)(2 - k) * sizeof(long));
				top_errno[k] = e;
				break;
			}
	printf("# fuzz: %ld calls, %ld page faults survived, %ld signals; "
	       "most frequent errors: %s %lu, %s %lu, %s %lu\n",
	       calls, faults, signals_seen, strerror((int)top_errno[0]),
	       errs[top_errno[0]], strerror((int)top_errno[1]),
	       errs[top_errno[1]], strerror((int)top_errno[2]),
	       errs[top_errno[2]]);
	printf("# fuzz: succeeded: %ld VMs, %ld vCPUs, %ld negotiations, %ld "
	       "injections, %ld mappings, %ld netlink requests\n",
	       made_vms, made_vcpus, negotiated, injected, mapped, genl_ok);
	printf("%s - fuzz: %ld calls in %.0f s fail only with documented "
	       "errnos (%ld others)\n",
	       unexpected ? "not ok" : "ok", calls, seconds, unexpected);
	printf("%s - fuzz: every child exited or was killed (%ld did not)\n",
	       bad_deaths ? "not ok" : "ok", bad_deaths);
	printf("# fuzz: seconds=%.0f seed=%" PRIu64 " calls=%ld\n", seconds,
	       seed, calls);
	return unexpected || bad_deaths ? 1 : 0;
}
