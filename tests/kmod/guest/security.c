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

int case_security(const char *name)
{
	if (!strcmp(name, "sigexec"))
		case_sigexec();
	else
		return 2;
	return 0;
}
