// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvabi-test cases for what keeps one user's VMs from another (issue 21),
 * one section each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "genl_client.h"
#include "pvabi/access.h"

#include "guest.h"

#define SIGNO 40 /* a real-time signal, blocked where it is awaited */

/* ---------------------------------------------------------- signals */

/* The set-user-ID copy of this program, run by the registrant. */
#define SUID_COPY "/tmp/pvabi-test-suid"

static int make_suid_copy(void)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out =
		open(SUID_COPY, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t n;

	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			return -1;
	close(in);
	close(out);
	return chown(SUID_COPY, 0, 0) || chmod(SUID_COPY, 04755) ? -1 : 0;
}

/*
 * "sigvictim become-root READY-FD": run set-user-ID root by a uid-65534
 * process that registered for SIGNO; become root entirely or stay as
 * exec'd, say so on READY-FD, and exit 10 if SIGNO arrives within 1.5 s.
 */
int sigvictim(int become_root, int ready)
{
	struct timespec ts = {1, 500000000};
	sigset_t set;

	if (become_root && setresuid(0, 0, 0))
		return 3;
	if (write(ready, "r", 1) != 1)
		return 3;
	sigemptyset(&set);
	sigaddset(&set, SIGNO);
	return sigtimedwait(&set, NULL, &ts) == SIGNO ? 10 : 0;
}

/* Returns the registrant's exit status: 10 when it got the signal. */
static int signal_after_exec(int dev, int become_root, uint64_t *taken)
{
	struct pvabi_signal sg = {.signo = SIGNO};
	int vm = vm_create(dev, become_root ? "sig-root" : "sig-stay", NULL);
	int ready[2], status = -1;
	struct vcpu v;
	pid_t a, b;
	char c, fd[16];

	vcpu_setup(vm, 0, &v);
	if (pipe(ready))
		die("pipe");
	fflush(stdout);
	a = fork();
	if (a == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(4);
		if (ioctl(v.fd, PVABI_VCPU_SET_SIGNAL, &sg))
			_exit(5);
		snprintf(fd, sizeof(fd), "%d", ready[1]);
		execl(SUID_COPY, SUID_COPY, "sigvictim",
		      become_root ? "root" : "stay", fd, (char *)NULL);
		_exit(6);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) == 1) {
		b = fork();
		if (b == 0) {
			/* Another unprivileged process with the vCPU fd. */
			if (setgid(65534) || setuid(65534))
				_exit(4);
			_exit(inject(&v) == 0 ? 0 : 7);
		}
		waitpid(b, &status, 0);
	}
	waitpid(a, &status, 0);
	*taken = took(&v);
	close(ready[0]);
	vcpu_close(&v);
	close(vm);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void case_sigexec(void)
{
	int dev = dev_open(), st;
	uint64_t taken;
	sigset_t set;

	if (make_suid_copy()) {
		result(0, "a set-user-ID root copy of pvabi-test in /tmp");
		close(dev);
		return;
	}
	/* Blocked before the fork: the mask survives exec. */
	sigemptyset(&set);
	sigaddset(&set, SIGNO);
	sigprocmask(SIG_BLOCK, &set, NULL);
	st = signal_after_exec(dev, 1, &taken);
	result(st == 0 && taken == 1,
	       "a uid-65534 registrant that exec'd a set-user-ID program and "
	       "became root gets no signal from another uid-65534 process's "
	       "injection (exit %d; the eventfd still counts %llu)",
	       st, (unsigned long long)taken);
	st = signal_after_exec(dev, 0, &taken);
	result(st == 10,
	       "one that kept its real uid still gets it, as kill() would "
	       "allow (exit %d)",
	       st);
	unlink(SUID_COPY);
	close(dev);
}

/* --------------------------------------------------- ids, limits */

static int set_limit(int n)
{
	FILE *f = fopen("/sys/module/pvabi/parameters/max_vms_per_user", "w");

	if (!f)
		return -1;
	fprintf(f, "%d\n", n);
	return fclose(f);
}

static void case_ids(void)
{
	enum { ROUNDS = 600 };
	int dev = dev_open(), i, j, fds[3], status, reused = 0;
	uint32_t *ids = calloc(ROUNDS, sizeof(*ids));
	pid_t pid;

	for (i = 0; i < ROUNDS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "ids-%d", i);
		close(vm_create(dev, name, &ids[i]));
	}
	for (i = 0; i < ROUNDS; i++)
		for (j = 0; j < i; j++)
			reused += ids[i] == ids[j];
	result(reused == 0 && ids[0] != 0,
	       "%d VMs created and destroyed in turn get %d distinct ids "
	       "(%d reused)",
	       ROUNDS, ROUNDS - reused, reused);
	free(ids);

	/* max_vms_per_user: counted per user, root's VMs apart. */
	if (set_limit(2)) {
		result(0, "max_vms_per_user is a writable parameter");
		close(dev);
		return;
	}
	for (i = 0; i < 2; i++) {
		struct pvabi_create_vm cv = {0};

		snprintf(cv.name, sizeof(cv.name), "root-%d", i);
		fds[i] = ioctl(dev, PVABI_CREATE_VM, &cv);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct pvabi_create_vm cv = {0};
		int mine[3];

		if (setgid(65534) || setuid(65534))
			_exit(1);
		for (i = 0; i < 3; i++) {
			memset(&cv, 0, sizeof(cv));
			snprintf(cv.name, sizeof(cv.name), "quota-%d", i);
			mine[i] = ioctl(dev, PVABI_CREATE_VM, &cv);
		}
		result(mine[0] >= 0 && mine[1] >= 0,
		       "with max_vms_per_user 2 and root holding 2, uid 65534 "
		       "(holding /dev/pvabi) creates 2 VMs");
		result(mine[2] == -1 && errno == EDQUOT,
		       "its third is refused: EDQUOT (%s)", strerror(errno));
		_exit(n_fail ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		n_fail++;
	{
		struct pvabi_create_vm cv = {.name = "root-2"};

		fds[2] = ioctl(dev, PVABI_CREATE_VM, &cv);
		result(fds[0] >= 0 && fds[1] >= 0 && fds[2] == -1 &&
			       errno == EDQUOT,
		       "root's own third VM is refused too: EDQUOT (%s)",
		       strerror(errno));
	}
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	set_limit(PVABI_MAX_VMS);
	close(dev);
}

/* --------------------------------------------------- policy by UUID */

struct find_uuid {
	uint32_t id;
	uint32_t defer_us;
};

static int find_defer(const struct pvctl_genl_vm *vm, void *arg)
{
	struct find_uuid *f = arg;

	if (vm->id == f->id)
		f->defer_us = vm->policy.defer_us;
	return 0;
}

static void case_uuid(void)
{
	struct pvctl_genl_policy pol = {
		.present = 1u << PVABI_POLICY_A_DEFER_US,
		.defer_us = 1234,
	};
	struct pvabi_create_vm cv = {0};
	uint8_t other[PVABI_UUID_LEN] = {9, 9, 9};
	struct find_uuid f = {0};
	struct pvctl_genl *g;
	struct nl_msg *m;
	int dev = dev_open(), vm;

	for (int i = 0; i < PVABI_UUID_LEN; i++)
		cv.uuid[i] = 0xa0 + i;
	vm = ioctl(dev, PVABI_CREATE_VM, &cv);
	if (vm < 0 || pvctl_genl_open(&g))
		die("VM with a UUID");
	result(pvctl_genl_set_policy_uuid(g, cv.uuid, 0, &pol) == 0,
	       "SET_POLICY addressed by UUID");
	f.id = cv.id;
	pvctl_genl_dump(g, cv.id, find_defer, &f);
	result(f.defer_us == 1234, "it reached the VM with that UUID (%u us)",
	       f.defer_us);
	EXPECT_NL(pvctl_genl_set_policy_uuid(g, other, 0, &pol), ENOENT,
		  "SET_POLICY unknown UUID");
	m = pvctl_genl_msg(g, PVABI_CMD_SET_POLICY, 0);
	nla_put_u32(m, PVABI_A_VM_ID, cv.id);
	nla_put(m, PVABI_A_VM_UUID, PVABI_UUID_LEN, cv.uuid);
	nla_nest_end(m, nla_nest_start(m, PVABI_A_VM_POLICY));
	EXPECT_NL(pvctl_genl_request(g, m), EINVAL,
		  "SET_POLICY with both id and UUID");
	m = pvctl_genl_msg(g, PVABI_CMD_SET_POLICY, 0);
	nla_put(m, PVABI_A_VM_UUID, 4, cv.uuid);
	nla_nest_end(m, nla_nest_start(m, PVABI_A_VM_POLICY));
	EXPECT_NL(pvctl_genl_request(g, m), ERANGE,
		  "SET_POLICY with a 4-byte UUID");
	pvctl_genl_close(g);
	close(vm);
	close(dev);
}

/* ------------------------------------------------------------- dump */

/*
 * A dump read through a 4096-byte buffer, as a small reader would: the
 * kernel then fills messages of about a page, and 64 vCPUs take several.
 */
struct split {
	uint32_t a, b; /* the two VMs' ids */
	int msgs_a, bad, dup;
	uint64_t seen_a, seen_b;
	int destroy; /* close VM a after its first message */
	struct vcpu *va;
	int vm_a;
};

static int on_split(struct nl_msg *msg, void *arg)
{
	static struct pvctl_genl_vm vm;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct split *s = arg;
	uint64_t *seen;

	memset(&vm, 0, sizeof(vm));
	if (pvctl_genl_parse_vm(nlh, nlh->nlmsg_len, &vm)) {
		s->bad++;
		return NL_OK;
	}
	seen = vm.id == s->a ? &s->seen_a : vm.id == s->b ? &s->seen_b : NULL;
	if (!seen)
		return NL_OK;
	for (uint32_t i = 0; i < vm.n_vcpus; i++) {
		uint64_t bit = 1ull << vm.vcpus[i].index;

		s->dup += !!(*seen & bit);
		*seen |= bit;
	}
	if (vm.id == s->a && s->msgs_a++ == 0 && s->destroy) {
		for (int i = 0; i < PVABI_MAX_VCPUS; i++)
			vcpu_close(&s->va[i]);
		close(s->vm_a);
		s->vm_a = -1;
	}
	return NL_OK;
}

static int small_dump(struct split *s)
{
	struct nl_sock *ctl = nl_socket_alloc(), *sk = nl_socket_alloc();
	struct nl_msg *m = nlmsg_alloc();
	int family, err = -1;

	if (!ctl || !sk || !m || genl_connect(ctl) || genl_connect(sk))
		goto out;
	/* Resolved on a socket of its own: the dump socket's first read
	 * sets the size of the kernel's dump messages. */
	family = genl_ctrl_resolve(ctl, PVABI_GENL_NAME);
	if (family < 0)
		goto out;
	nl_socket_disable_msg_peek(sk);
	nl_socket_set_msg_buf_size(sk, 4096);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_split, s);
	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP,
		    PVABI_CMD_GET_VMS, PVABI_GENL_VERSION);
	if (nl_send_auto(sk, m) < 0)
		goto out;
	err = nl_recvmsgs_default(sk);
out:
	nlmsg_free(m);
	nl_socket_free(sk);
	nl_socket_free(ctl);
	return err;
}

static void case_dump(void)
{
	static struct vcpu va[PVABI_MAX_VCPUS], vb[PVABI_MAX_VCPUS];
	int dev = dev_open(), vm_b, err;
	struct split s = {.va = va};
	const uint64_t all = ~0ull;

	s.vm_a = vm_create(dev, "dump-a", &s.a);
	vm_b = vm_create(dev, "dump-b", &s.b);
	for (int i = 0; i < PVABI_MAX_VCPUS; i++) {
		vcpu_setup(s.vm_a, i, &va[i]);
		vcpu_setup(vm_b, i, &vb[i]);
	}
	err = small_dump(&s);
	result(err >= 0 && s.msgs_a > 1,
	       "a VM of %d vCPUs spans %d messages of a small reader's dump",
	       PVABI_MAX_VCPUS, s.msgs_a);
	result(s.bad == 0,
	       "every message parses strictly: no partial vCPU entry, no "
	       "stray attribute (%d refused)",
	       s.bad);
	result(s.dup == 0 && s.seen_a == all && s.seen_b == all,
	       "each vCPU of both VMs is reported once (%d twice, "
	       "%d + %d vCPUs)",
	       s.dup, __builtin_popcountll(s.seen_a),
	       __builtin_popcountll(s.seen_b));

	memset(&s, 0, sizeof(s));
	s.va = va;
	s.vm_a = vm_create(dev, "dump-c", &s.a);
	s.b = 0;
	{
		/* The VM after the one destroyed midway: a new one, so its id
		 * comes after. */
		int vm_d;
		static struct vcpu vd[PVABI_MAX_VCPUS];

		for (int i = 0; i < PVABI_MAX_VCPUS; i++)
			vcpu_setup(s.vm_a, i, &va[i]);
		vm_d = vm_create(dev, "dump-d", &s.b);
		for (int i = 0; i < PVABI_MAX_VCPUS; i++)
			vcpu_setup(vm_d, i, &vd[i]);
		s.destroy = 1;
		err = small_dump(&s);
		result(err >= 0 && s.bad == 0 && s.vm_a == -1,
		       "a dump that loses its VM midway goes on cleanly "
		       "(%d refused)",
		       s.bad);
		result(s.seen_b == all && s.dup == 0,
		       "the next VM is reported from its first vCPU: all %d "
		       "(got %d)",
		       PVABI_MAX_VCPUS, __builtin_popcountll(s.seen_b));
		for (int i = 0; i < PVABI_MAX_VCPUS; i++)
			vcpu_close(&vd[i]);
		close(vm_d);
	}
	for (int i = 0; i < PVABI_MAX_VCPUS; i++)
		vcpu_close(&vb[i]);
	close(vm_b);
	close(dev);
}

/* ------------------------------------------------------------- fork */

static int count(const struct pvctl_genl_vm *vm, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int vms_with_id(uint32_t id)
{
	struct pvctl_genl *g;
	int n = 0;

	if (pvctl_genl_open(&g))
		return -1;
	if (pvctl_genl_dump(g, id, count, &n))
		n = -1;
	pvctl_genl_close(g);
	return n;
}

static void case_fork(void)
{
	struct pvabi_signal sg = {.signo = SIGNO};
	int dev = dev_open(), vm, go[2], done[2], i, alive = 0, gone = 0;
	struct timespec ts = {2, 0};
	uint32_t id;
	struct vcpu v;
	sigset_t set;
	char c = 0;
	pid_t pid;

	vm = vm_create(dev, "fork", &id);
	vcpu_setup(vm, 0, &v);
	if (pipe(go) || pipe(done))
		die("pipe");
	sigemptyset(&set);
	sigaddset(&set, SIGNO);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		siginfo_t si;

		if (read(go[0], &c, 1) != 1)
			_exit(1);
		result(inject_vec(&v, 3) == 0 && took(&v) == 1,
		       "fork: the child injects through the inherited vCPU fd "
		       "after the parent closed everything");
		enter(&v);
		inject_vec(&v, 4);
		leave(&v);
		doorbell(&v, 1);
		result(took(&v) == 1 && stats(&v).notify_traps == 1,
		       "fork: the child's doorbell store traps and delivers");
		result(ioctl(v.fd, PVABI_VCPU_SET_SIGNAL, &sg) == 0 &&
			       inject_vec(&v, 5) == 0 &&
			       sigtimedwait(&set, &si, &ts) == SIGNO &&
			       si.si_value.sival_int == 5,
		       "fork: the child asks for the signal and gets it");
		c = n_fail ? 1 : 0;
		if (write(done[1], &c, 1) != 1)
			_exit(1);
		/* exec: the O_CLOEXEC fds close, the mappings go. */
		execl("/bin/sleep", "sleep", "5", (char *)NULL);
		_exit(1);
	}
	vcpu_close(&v);
	close(vm);
	close(dev);
	alive = vms_with_id(id);
	if (write(go[1], "g", 1) != 1 || read(done[0], &c, 1) != 1)
		c = 1;
	if (c)
		n_fail++;
	for (i = 0; i < 200 && !gone; i++) {
		gone = vms_with_id(id) == 0;
		if (!gone)
			sleep_ms(10);
	}
	result(alive == 1 && gone && kill(pid, 0) == 0,
	       "fork: the child keeps the VM alive, and its exec lets it go "
	       "while it still runs (listed %d, gone %d)",
	       alive, gone);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* ------------------------------------------------------------ memcg */

static int put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

static long get_number(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atol(buf) : -1;
}

/* The VMM's memory cgroup pays for its vCPUs' pages (GFP_KERNEL_ACCOUNT). */
static void case_memcg(void)
{
	static const char grp[] = "/sys/fs/cgroup/pvabi-memcg";
	enum { VMS = 4, N = VMS * PVABI_MAX_VCPUS };
	int dev = dev_open(), vm[VMS], i;
	static int fds[N];
	long before, after;
	char pid[32];

	mkdir("/sys/fs/cgroup", 0755);
	if (mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL) &&
	    errno != EBUSY)
		die("mount cgroup2");
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (put_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory") ||
	    (mkdir(grp, 0755) && errno != EEXIST) ||
	    put_file("/sys/fs/cgroup/pvabi-memcg/cgroup.procs", pid)) {
		printf("ok - memcg: the memory controller # SKIP not "
		       "available\n");
		close(dev);
		return;
	}
	for (i = 0; i < VMS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "memcg-%d", i);
		vm[i] = vm_create(dev, name, NULL);
	}
	before = get_number("/sys/fs/cgroup/pvabi-memcg/memory.current");
	for (i = 0; i < N; i++)
		fds[i] = ioctl(vm[i / PVABI_MAX_VCPUS], PVABI_CREATE_VCPU,
			       i % PVABI_MAX_VCPUS);
	after = get_number("/sys/fs/cgroup/pvabi-memcg/memory.current");
	/* Charges go through per-CPU stocks of up to 64 pages: allow 2. */
	result(before >= 0 && after - before >= (N * 2 - 2 * 64) * 4096L,
	       "memcg: %d vCPUs charge their pages to the VMM's memory "
	       "cgroup (%ld KiB, %d KiB of pages)",
	       N, (after - before) / 1024, N * 8);
	for (i = 0; i < N; i++)
		close(fds[i]);
	for (i = 0; i < VMS; i++)
		close(vm[i]);
	close(dev);
	put_file("/sys/fs/cgroup/cgroup.procs", pid);
}

int case_security(const char *name)
{
	if (!strcmp(name, "sigexec"))
		case_sigexec();
	else if (!strcmp(name, "ids"))
		case_ids();
	else if (!strcmp(name, "uuid"))
		case_uuid();
	else if (!strcmp(name, "dump"))
		case_dump();
	else if (!strcmp(name, "fork"))
		case_fork();
	else if (!strcmp(name, "memcg"))
		case_memcg();
	else
		return 2;
	return 0;
}
