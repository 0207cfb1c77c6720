// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvabi's ivshmem-doorbell server (libpvctl/ivshmem_server.h) against a real
 * QEMU, driven through qtest (tests/ctl/ivshmem-qemu.sh runs it).
 *
 * The server runs on its own thread with a memfd region and peer-0 doorbell
 * eventfds this program owns (the memfd source exists for this test only:
 * no module can be loaded here).  QEMU (-machine q35 -accel qtest, an
 * ivshmem-doorbell device on the server's socket) is then looked at from
 * the guest's side through qtest's port and memory commands:
 *   - the device (1af4:1110) is found on bus 0; BAR2's size is the region's;
 *     a pattern written through BAR2 is in the memfd, and back;
 *   - IVPosition (BAR0 + 8) is the ID the server gave, 0: the device is
 *     master=on (what migrates the region), which QEMU refuses for any
 *     other ID;
 *   - writing the doorbell (BAR0 + 12) with (1 << 16) | v fires the test's
 *     eventfd v of the module (peer 1), and no other;
 *   - with MSI-X enabled (table entries pointed at guest RAM, distinct
 *     data), signalling the client's interrupt eventfd v makes QEMU write
 *     vector v's message: the MSI write is read back from RAM;
 *   - a second QEMU while the first is connected (an incoming migration)
 *     gets ID 0 too, a master as well, and the same memory; once the first
 *     is killed, interrupts go to the second; a third QEMU after both are
 *     gone (virsh restore) is served the same memory, the same doorbells
 *     and new interrupt eventfds;
 *   - a region whose size is not a power of two is never sent: that QEMU
 *     is refused with a version it does not speak, and does not start.
 * Exit 0 and one summary line on success, 1 on a failed check, 77 to skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "ivshmem_proto.h"
#include "ivshmem_server.h"

#define N_VECTORS   4
#define REGION_SIZE (1u << 20)
/* Guest-physical addresses the test gives the BARs (inside q35's PCI hole)
 * and the RAM the MSI-X messages are written to. */
#define BAR0_ADDR 0xe0100000u
#define BAR1_ADDR 0xe0101000u
#define BAR2_ADDR 0xe0000000u
#define MSI_ADDR  0x00100000u
#define MSI_DATA  0x00abc000u

static const char *qemu_bin, *dir;
static int memfd, odd_memfd, doorbell[N_VECTORS], stop_fd;
static uint8_t *mem;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int irq_fds[N_VECTORS] = {-1, -1, -1, -1}; /* the current client's */
static bool use_odd;
static int odd_refused, opens, forget_fd, forgotten;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("ivshmem-qtest: FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(1);
}

/* ------------------------------------------------ the server's thread */

static void on_irq_fds(void *arg, const int *fds, uint32_t n)
{
	pthread_mutex_lock(&lock);
	for (uint32_t i = 0; i < n; i++) {
		if (irq_fds[i] >= 0)
			close(irq_fds[i]);
		irq_fds[i] = fds ? fcntl(fds[i], F_DUPFD_CLOEXEC, 0) : -1;
	}
	pthread_mutex_unlock(&lock);
}

static int open_region(void *arg, struct pvctl_region **out, char *why,
		       size_t whylen)
{
	bool odd;

	pthread_mutex_lock(&lock);
	odd = use_odd;
	opens++;
	pthread_mutex_unlock(&lock);
	return pvctl_region_open_memfd(odd ? odd_memfd : memfd, doorbell,
				       N_VECTORS, on_irq_fds, NULL, out);
}

static void server_log(void *arg, const char *line)
{
	printf("# server: %s\n", line);
	fflush(stdout);
	if (strstr(line, "does not fit")) {
		pthread_mutex_lock(&lock);
		odd_refused++;
		pthread_mutex_unlock(&lock);
	}
}

/* One of the server thread's counters, read under the lock. */
static int counter(const int *p)
{
	int v;

	pthread_mutex_lock(&lock);
	v = *p;
	pthread_mutex_unlock(&lock);
	return v;
}

/* The VM stopped for good: the server lets its region go. */
static int on_forget(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) == sizeof(n) &&
	    pvctl_ivshmem_server_forget(data) == 0) {
		pthread_mutex_lock(&lock);
		forgotten++;
		pthread_mutex_unlock(&lock);
	}
	return 0;
}

static int on_stop(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static void *server_thread(void *arg)
{
	struct pvctl_ivshmem_server *srv;
	struct pvctl_ivshmem_opts o = {
		.path = arg,
		.mode = 0600,
		.allow_uid = (uid_t)-1,
		.n_vectors = N_VECTORS,
		.open_region = open_region,
		.log = server_log,
	};
	sd_event *e;
	char why[256];

	if (sd_event_new(&e) < 0 ||
	    sd_event_add_io(e, NULL, stop_fd, EPOLLIN, on_stop, NULL) < 0)
		die("sd_event");
	if (pvctl_ivshmem_server_new(e, &o, &srv, why, sizeof(why)) < 0)
		die("server: %s", why);
	if (sd_event_add_io(e, NULL, forget_fd, EPOLLIN, on_forget, srv) < 0)
		die("sd_event");
	sd_event_loop(e);
	pvctl_ivshmem_server_free(srv);
	sd_event_unref(e);
	return NULL;
}

/* ------------------------------------------------------------- qtest */

struct qemu {
	pid_t pid;
	FILE *q, *w; /* the qtest connection: replies, commands */
	int qmp;
	bool ready; /* QMP answered: the machine is up and reset */
	char name[16];
};

static int listen_at(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int l;

	if (strlen(path) >= sizeof(a.sun_path))
		die("%s: too long for a socket path", path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	unlink(path);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(l, 1) < 0)
		die("socket %s: %s", path, strerror(errno));
	return l;
}

static int accept_from(int l, const char *path)
{
	struct pollfd p = {.fd = l, .events = POLLIN};
	int fd = -1;

	if (poll(&p, 1, 20000) == 1)
		fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	close(l);
	unlink(path);
	return fd;
}

/* QMP's handshake, as libqtest does it: QEMU answers qmp_capabilities
 * from its main loop, once the machine is created and reset. */
static bool qmp_ready(int fd)
{
	static const char caps[] = "{\"execute\": \"qmp_capabilities\"}\n";
	FILE *f;
	char line[4096];
	bool ok = false;

	if (fd < 0)
		return false;
	f = fdopen(dup(fd), "r");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f) && strstr(line, "\"QMP\"") &&
	    write(fd, caps, strlen(caps)) == (ssize_t)strlen(caps))
		while (!ok && fgets(line, sizeof(line), f))
			ok = strstr(line, "\"return\"") != NULL;
	fclose(f);
	return ok;
}

static void qemu_start(struct qemu *vm, const char *name, const char *sock)
{
	/* The device as libvirt writes it (ivshmem-libvirt.sh), or ours. */
	const char *device = getenv("IVSHMEM_QTEST_DEVICE");
	const char *id = getenv("IVSHMEM_QTEST_CHARDEV");
	char qt[300], qm[300], chardev[400], qtarg[310], qmarg[310];
	int lt, lm, fd;

	snprintf(vm->name, sizeof(vm->name), "%s", name);
	snprintf(qt, sizeof(qt), "%s/qtest-%s.sock", dir, name);
	snprintf(qm, sizeof(qm), "%s/qmp-%s.sock", dir, name);
	lt = listen_at(qt);
	lm = listen_at(qm);
	snprintf(chardev, sizeof(chardev), "socket,path=%s,id=%s", sock,
		 id ? id : "c");
	snprintf(qtarg, sizeof(qtarg), "unix:%s", qt);
	snprintf(qmarg, sizeof(qmarg), "unix:%s", qm);
	vm->pid = fork();
	if (vm->pid == 0) {
		/* QEMU under qtest outlives its qtest connection: it goes
		 * with this program, however that ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execlp(qemu_bin, qemu_bin, "-machine", "q35", "-display",
		       "none", "-nodefaults", "-S", "-qtest-log", "/dev/null",
		       "-m", "64M", "-qtest", qtarg, "-qmp", qmarg, "-chardev",
		       chardev, "-device",
		       device ? device
			      : "ivshmem-doorbell,chardev=c,vectors=4,"
				"ioeventfd=on,master=on",
		       (char *)NULL);
		_exit(127);
	}
	vm->q = vm->w = NULL;
	fd = accept_from(lt, qt);
	/* One stream each way: stdio does not mix reads and writes on one
	 * FILE without a seek between. */
	if (fd >= 0) {
		vm->q = fdopen(fd, "r");
		vm->w = fdopen(dup(fd), "w");
	}
	vm->qmp = accept_from(lm, qm);
	vm->ready = qmp_ready(vm->qmp);
}

static bool qemu_exited(struct qemu *vm, int ms, int *status)
{
	for (int i = 0; i < ms / 10; i++) {
		if (waitpid(vm->pid, status, WNOHANG) == vm->pid)
			return true;
		usleep(10000);
	}
	return false;
}

static void qemu_kill(struct qemu *vm)
{
	int st;

	kill(vm->pid, SIGKILL);
	waitpid(vm->pid, &st, 0);
	if (vm->q)
		fclose(vm->q);
	if (vm->w)
		fclose(vm->w);
	if (vm->qmp >= 0)
		close(vm->qmp);
	vm->q = vm->w = NULL;
	vm->qmp = -1;
}

/* One command; the value after "OK", if any. */
static uint64_t qt(struct qemu *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static uint64_t qt(struct qemu *vm, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vfprintf(vm->w, fmt, ap);
	va_end(ap);
	fputc('\n', vm->w);
	fflush(vm->w);
	do
		if (!fgets(line, sizeof(line), vm->q))
			die("%s: qtest connection lost", vm->name);
	while (!strncmp(line, "IRQ", 3));
	if (strncmp(line, "OK", 2))
		die("%s: qtest: %s", vm->name, line);
	return strtoull(line + 2, NULL, 0);
}

static uint32_t cfg_addr(unsigned int dev, unsigned int off)
{
	return 0x80000000u | dev << 11 | (off & 0xfc);
}

static uint32_t cfg_read(struct qemu *vm, unsigned int dev, unsigned int off)
{
	qt(vm, "outl 0xcf8 0x%x", cfg_addr(dev, off));
	return (uint32_t)qt(vm, "inl 0xcfc");
}

static void cfg_write(struct qemu *vm, unsigned int dev, unsigned int off,
		      uint32_t v)
{
	qt(vm, "outl 0xcf8 0x%x", cfg_addr(dev, off));
	qt(vm, "outl 0xcfc 0x%x", v);
}

/* Finds the device, sizes and places its BARs; returns BAR2's size. */
static uint64_t setup_device(struct qemu *vm, unsigned int *devp)
{
	unsigned int dev;
	uint64_t lo, hi;
	uint32_t cap;

	for (dev = 0; dev < 32; dev++)
		if (cfg_read(vm, dev, 0) == (0x1110u << 16 | 0x1af4u))
			break;
	if (dev == 32)
		die("%s: no ivshmem device (1af4:1110) on bus 0", vm->name);
	*devp = dev;
	cfg_write(vm, dev, 0x18, 0xffffffffu);
	cfg_write(vm, dev, 0x1c, 0xffffffffu);
	lo = cfg_read(vm, dev, 0x18);
	hi = cfg_read(vm, dev, 0x1c);
	if ((lo & 0x6) != 0x4)
		die("%s: BAR2 is not a 64-bit memory BAR (0x%" PRIx64 ")",
		    vm->name, lo);
	cfg_write(vm, dev, 0x10, BAR0_ADDR);
	cfg_write(vm, dev, 0x14, BAR1_ADDR);
	cfg_write(vm, dev, 0x18, BAR2_ADDR);
	cfg_write(vm, dev, 0x1c, 0);
	/* Memory space and bus master (the MSI-X writes). */
	cfg_write(vm, dev, 0x04, cfg_read(vm, dev, 0x04) | 0x6);
	/* MSI-X: vector v writes MSI_DATA + v to MSI_ADDR + 4 * v. */
	for (cap = cfg_read(vm, dev, 0x34) & 0xfc; cap;
	     cap = cfg_read(vm, dev, cap) >> 8 & 0xfc)
		if ((cfg_read(vm, dev, cap) & 0xff) == 0x11)
			break;
	if (!cap)
		die("%s: no MSI-X capability", vm->name);
	if ((cfg_read(vm, dev, cap + 4) & 7) != 1)
		die("%s: the MSI-X table is not in BAR1", vm->name);
	for (unsigned int v = 0; v < N_VECTORS; v++) {
		uint32_t e =
			BAR1_ADDR + (cfg_read(vm, dev, cap + 4) & ~7u) + 16 * v;

		qt(vm, "writel 0x%x 0x%x", e, MSI_ADDR + 4 * v);
		qt(vm, "writel 0x%x 0", e + 4);
		qt(vm, "writel 0x%x 0x%x", e + 8, MSI_DATA + v);
		qt(vm, "writel 0x%x 0", e + 12);
		qt(vm, "writel 0x%x 0", MSI_ADDR + 4 * v);
	}
	cfg_write(vm, dev, cap, cfg_read(vm, dev, cap) | 1u << 31);
	return ~((hi << 32 | lo) & ~(uint64_t)0xf) + 1;
}

static bool readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

/* The doorbell for the module's vector v fires exactly eventfd v. */
static unsigned int check_doorbells(struct qemu *vm)
{
	unsigned int ok = 0;
	uint64_t n;

	for (unsigned int v = 0; v < N_VECTORS; v++) {
		qt(vm, "writel 0x%x 0x%x", BAR0_ADDR + 12,
		   (unsigned int)PVCTL_IVSHMEM_MODULE_ID << 16 | v);
		if (!readable(doorbell[v], 2000))
			die("%s: doorbell %u did not fire the module's eventfd",
			    vm->name, v);
		if (read(doorbell[v], &n, sizeof(n)) != sizeof(n) || n != 1)
			die("%s: doorbell %u: eventfd count %" PRIu64, vm->name,
			    v, n);
		for (unsigned int w = 0; w < N_VECTORS; w++)
			if (readable(doorbell[w], 0))
				die("%s: doorbell %u also fired vector %u",
				    vm->name, v, w);
		ok++;
	}
	return ok;
}

/* Signalling the current client's eventfd v makes @vm write MSI-X v. */
static unsigned int check_irqs(struct qemu *vm)
{
	unsigned int ok = 0;
	uint64_t one = 1;

	for (unsigned int v = 0; v < N_VECTORS; v++) {
		int fd;
		uint64_t got = 0;

		pthread_mutex_lock(&lock);
		fd = irq_fds[v];
		pthread_mutex_unlock(&lock);
		if (fd < 0 || write(fd, &one, sizeof(one)) != sizeof(one))
			die("%s: no interrupt eventfd %u to signal", vm->name,
			    v);
		for (int i = 0; i < 200 && got != MSI_DATA + v; i++) {
			got = qt(vm, "readl 0x%x", MSI_ADDR + 4 * v);
			if (got != MSI_DATA + v)
				usleep(10000);
		}
		if (got != MSI_DATA + v)
			die("%s: vector %u: no MSI-X write (RAM holds "
			    "0x%" PRIx64 ")",
			    vm->name, v, got);
		for (unsigned int w = v + 1; w < N_VECTORS; w++)
			if (qt(vm, "readl 0x%x", MSI_ADDR + 4 * w))
				die("%s: vector %u also raised %u", vm->name, v,
				    w);
		ok++;
	}
	return ok;
}

static uint32_t ivposition(struct qemu *vm)
{
	return (uint32_t)qt(vm, "readl 0x%x", BAR0_ADDR + 8);
}

static void check_memory(struct qemu *vm, uint32_t pattern)
{
	uint32_t v;

	qt(vm, "writel 0x%x 0x%x", BAR2_ADDR + 0x40, pattern);
	qt(vm, "writel 0x%x 0x%x", BAR2_ADDR + REGION_SIZE - 4, ~pattern);
	memcpy(&v, mem + 0x40, 4);
	if (v != pattern)
		die("%s: BAR2 write not in the memfd (0x%x; BAR2 reads "
		    "0x%" PRIx64 ")",
		    vm->name, v, qt(vm, "readl 0x%x", BAR2_ADDR + 0x40));
	memcpy(&v, mem + REGION_SIZE - 4, 4);
	if (v != ~pattern)
		die("%s: BAR2's last word not in the memfd", vm->name);
	v = pattern ^ 0x5a5a5a5au;
	memcpy(mem + 0x80, &v, 4);
	if (qt(vm, "readl 0x%x", BAR2_ADDR + 0x80) != v)
		die("%s: the memfd's word not seen through BAR2", vm->name);
}

/*
 * Started, connected and checked; @id the IVPosition it must have.  QEMU
 * runs with -S: Debian's QEMU has no qtest accelerator, and under TCG the
 * firmware would enumerate the PCI bus and move the BARs the test placed.
 */
static void qemu_ready(struct qemu *vm, const char *name, const char *sock,
		       uint32_t id, uint64_t *bar2)
{
	unsigned int dev = 0;
	uint32_t pos = 0;

	qemu_start(vm, name, sock);
	if (!vm->q || !vm->ready)
		die("%s: QEMU did not start", name);
	*bar2 = setup_device(vm, &dev);
	pos = ivposition(vm);
	if (*bar2 != REGION_SIZE)
		die("%s: BAR2 is %" PRIu64 " bytes, the region %u", name, *bar2,
		    REGION_SIZE);
	if (pos != id)
		die("%s: IVPosition %u, the server gave %u", name, pos, id);
	printf("# %s: device 00:%02x.0, BAR2 %" PRIu64
	       " bytes, IVPosition %u\n",
	       name, dev, *bar2, pos);
}

int main(int argc, char **argv)
{
	struct qemu a, b, c, d;
	char sock[300];
	pthread_t th;
	uint64_t bar2, one = 1;
	unsigned int bells, irqs_a, irqs_b, bells_b, bells_c;
	int st;

	if (argc != 3) {
		fprintf(stderr, "usage: ivshmem-qtest QEMU DIR\n");
		return 2;
	}
	qemu_bin = argv[1];
	dir = argv[2];
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	memfd = memfd_create("pvabi-test-region", MFD_CLOEXEC);
	odd_memfd = memfd_create("pvabi-test-odd", MFD_CLOEXEC);
	if (memfd < 0 || odd_memfd < 0 || ftruncate(memfd, REGION_SIZE) < 0 ||
	    ftruncate(odd_memfd, REGION_SIZE + 4096) < 0)
		die("memfd: %s", strerror(errno));
	mem = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		   0);
	if (mem == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	for (int v = 0; v < N_VECTORS; v++)
		doorbell[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	forget_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	snprintf(sock, sizeof(sock), "%s/vm.sock", dir);
	if (pthread_create(&th, NULL, server_thread, sock))
		die("thread");
	for (int i = 0; i < 100 && access(sock, F_OK); i++)
		usleep(10000);

	/* One QEMU: memory, ID, doorbells, interrupts. */
	qemu_ready(&a, "qemu-a", sock, 0, &bar2);
	check_memory(&a, 0x11223344u);
	bells = check_doorbells(&a);
	irqs_a = check_irqs(&a);

	/* A second one beside it (an incoming migration): ID 0 as well, the
	 * same memory; the interrupts stay with the first. */
	qemu_ready(&b, "qemu-b", sock, 0, &bar2);
	if (qt(&b, "readl 0x%x", BAR2_ADDR + 0x40) != 0x11223344u)
		die("qemu-b: not the memory qemu-a wrote");
	bells_b = check_doorbells(&b);
	/* The first leaves (killed): the interrupts move to the second. */
	qemu_kill(&a);
	for (int i = 0; i < 200; i++) {
		int fd;

		usleep(10000);
		pthread_mutex_lock(&lock);
		fd = irq_fds[0];
		pthread_mutex_unlock(&lock);
		if (fd >= 0 && write(fd, &one, sizeof(one)) == sizeof(one) &&
		    qt(&b, "readl 0x%x", MSI_ADDR) == MSI_DATA)
			break;
	}
	qt(&b, "writel 0x%x 0", MSI_ADDR);
	irqs_b = check_irqs(&b);
	qemu_kill(&b);

	/* After both: a new QEMU (a restore) is served the same memory. */
	qemu_ready(&c, "qemu-c", sock, 0, &bar2);
	if (qt(&c, "readl 0x%x", BAR2_ADDR + 0x40) != 0x11223344u)
		die("qemu-c: not the memory qemu-a wrote");
	check_memory(&c, 0x55667788u);
	bells_c = check_doorbells(&c);
	check_irqs(&c);
	qemu_kill(&c);
	st = counter(&opens);
	if (st != 1)
		die("the region was opened %d times for 3 QEMUs, not once", st);

	/* The VM stops for good: its next QEMU gets a region opened anew. */
	if (write(forget_fd, &one, sizeof(one)) != sizeof(one))
		die("forget");
	for (int i = 0; i < 200 && !counter(&forgotten); i++)
		usleep(10000);
	if (counter(&forgotten) != 1)
		die("the server did not let the region go");

	/* A region that is not a power of two is never sent: QEMU gets no
	 * memory and gives up. */
	pthread_mutex_lock(&lock);
	use_odd = true;
	pthread_mutex_unlock(&lock);
	qemu_start(&d, "qemu-d", sock);
	if (!qemu_exited(&d, 20000, &st) || !WIFEXITED(st) ||
	    WEXITSTATUS(st) == 0)
		die("qemu-d: QEMU did not fail without a region");
	fclose(d.q);
	fclose(d.w);
	if (d.qmp >= 0)
		close(d.qmp);
	st = counter(&odd_refused);
	if (st != 1)
		die("the server did not refuse the odd region (%d)", st);

	if (write(stop_fd, &one, sizeof(one)) != sizeof(one))
		die("stop");
	pthread_join(th, NULL);
	printf("ivshmem-qemu: QEMU saw BAR2 %" PRIu64
	       " bytes = the region, IVPosition 0/0/0 (master=on), "
	       "doorbells on peer 1 %u/%d %u/%d %u/%d, MSI-X writes %u/%d "
	       "(1st client) %u/%d (2nd, after the 1st was killed), "
	       "3 clients served one region, a %u-byte region never sent\n",
	       bar2, bells, N_VECTORS, bells_b, N_VECTORS, bells_c, N_VECTORS,
	       irqs_a, N_VECTORS, irqs_b, N_VECTORS, REGION_SIZE + 4096);
	return 0;
}
