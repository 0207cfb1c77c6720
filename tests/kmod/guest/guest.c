// SPDX-License-Identifier: GPL-2.0-or-later
/* The helpers of guest.h. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "genl_client.h"
#include "guest.h"
#include "pvabi/access.h"

int n_fail;

void __attribute__((format(printf, 2, 3))) result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		n_fail++;
}

void die(const char *what)
{
	printf("not ok - %s: %s\n", what, strerror(errno));
	exit(1);
}

int dev_open(void)
{
	int fd = open("/dev/pvabi", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open /dev/pvabi");
	return fd;
}

int vm_create_closed(int dev, const char *name, uint32_t *id)
{
	struct pvabi_create_vm cv = {0};
	int fd;

	snprintf(cv.name, sizeof(cv.name), "%s", name);
	fd = ioctl(dev, PVABI_CREATE_VM, &cv);
	if (fd < 0)
		die("PVABI_CREATE_VM");
	if (id)
		*id = cv.id;
	return fd;
}

/* SET_POLICY @pol for VM @id, or die saying @what. */
static void push(uint32_t id, const struct pvctl_genl_policy *pol,
		 const char *what)
{
	struct pvctl_genl *g;
	int err = pvctl_genl_open(&g);

	if (!err) {
		err = pvctl_genl_set_policy(g, id, 0, pol);
		pvctl_genl_close(g);
	}
	if (err) {
		errno = -err;
		die(what);
	}
}

void vm_push(uint32_t id)
{
	struct pvctl_genl_policy pol = {0};

	push(id, &pol, "SET_POLICY (the push that lets a VM negotiate)");
}

int vm_create(int dev, const char *name, uint32_t *idp)
{
	uint32_t id;
	int fd = vm_create_closed(dev, name, &id);

	vm_push(id);
	if (idp)
		*idp = id;
	return fd;
}

int vm_with_bound(int dev, const char *name, uint32_t bound_us, uint32_t *idp)
{
	struct pvctl_genl_policy pol = {
		.present = 1u << PVABI_POLICY_A_DEFER_US,
		.defer_us = bound_us,
	};
	uint32_t id;
	int vm = vm_create_closed(dev, name, &id);

	push(id, &pol, "SET_POLICY deferral bound");
	if (idp)
		*idp = id;
	return vm;
}

int negotiate(int fd, uint64_t wanted, struct pvabi_vcpu_negotiate *n)
{
	memset(n, 0, sizeof(*n));
	n->min_version = PVABI_VERSION_PACKED(1, 0);
	n->max_version = PVABI_VERSION_PACKED(1, 0xffff);
	n->wanted = wanted;
	n->magic_gpa = 0x10000;
	n->notify_gpa = 0x11000;
	n->byte_order = PVABI_BYTE_ORDER_LITTLE;
	return ioctl(fd, PVABI_VCPU_NEGOTIATE, n);
}

void vcpu_setup_features(int vm, unsigned int index, struct vcpu *v,
			 uint64_t wanted)
{
	struct pvabi_regs regs = {.r1 = TOKEN, .msr = 0};
	struct pvabi_eventfd e;
	struct pvabi_vcpu_negotiate n;
	char *p;

	v->fd = ioctl(vm, PVABI_CREATE_VCPU, index);
	if (v->fd < 0)
		die("PVABI_CREATE_VCPU");
	p = mmap(NULL, 2 * PVABI_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 v->fd, PVABI_MMAP_MAGIC_OFFSET);
	if (p == MAP_FAILED)
		die("mmap vCPU pages");
	v->mp = (void *)p;
	v->np = (void *)(p + PVABI_MMAP_NOTIFY_OFFSET);
	if (negotiate(v->fd, wanted, &n))
		die("PVABI_VCPU_NEGOTIATE");
	if (ioctl(v->fd, PVABI_VCPU_SET_REGS, &regs))
		die("PVABI_VCPU_SET_REGS");
	v->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e.fd = v->efd;
	e.flags = 0;
	if (v->efd < 0 || ioctl(v->fd, PVABI_VCPU_SET_EVENTFD, &e))
		die("PVABI_VCPU_SET_EVENTFD");
	pvabi_st32(PVABI_LE, &v->mp->dlv.irq_enabled, 1);
}

void vcpu_setup(int vm, unsigned int index, struct vcpu *v)
{
	vcpu_setup_features(vm, index, v, PVABI_F_ALL_1_0);
}

void vcpu_close(struct vcpu *v)
{
	munmap(v->mp, 2 * PVABI_PAGE_SIZE);
	close(v->efd);
	close(v->fd);
}

uint64_t took(struct vcpu *v)
{
	uint64_t n = 0;

	if (read(v->efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

struct pvabi_vcpu_stats stats(struct vcpu *v)
{
	struct pvabi_vcpu_stats st;

	if (ioctl(v->fd, PVABI_VCPU_GET_STATS, &st))
		die("PVABI_VCPU_GET_STATS");
	return st;
}

void enter(struct vcpu *v)
{
	pvabi_st64(PVABI_LE, &v->mp->dlv.critical, TOKEN);
}

void leave(struct vcpu *v)
{
	pvabi_st64(PVABI_LE, &v->mp->dlv.critical, 0);
}

void doorbell(struct vcpu *v, uint64_t x)
{
	pvabi_st64(PVABI_LE, &v->np->doorbell, x);
}

void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

int inject_vec(struct vcpu *v, uint32_t vector)
{
	return ioctl(v->fd, PVABI_VCPU_INJECT, (unsigned long)vector);
}

int inject(struct vcpu *v)
{
	return inject_vec(v, 0);
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
