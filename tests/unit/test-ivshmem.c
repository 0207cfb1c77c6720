// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libpvctl's ivshmem protocol (ivshmem_proto.h) and server
 * (ivshmem_server.h), without QEMU: the encoder, the receiving-side
 * validator on good and broken streams, and the server on an sd-event loop
 * with a memfd region, read by a client written here: the setup in order
 * with its fds, a setup larger than the socket buffer sent without
 * blocking, a client that sends being dropped, the client bound, a
 * refused uid, the region kept for the next client (a restored QEMU)
 * until it is forgotten, its doorbells rung, the module (peer 1) gone
 * when the server stops.  QEMU itself:
 * tests/ctl/ivshmem-qemu.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sockios.h>

#include <cmocka.h>

#include "ivshmem_proto.h"
#include "ivshmem_server.h"

/* ------------------------------------------------------- the messages */

static void test_encode(void **state)
{
	static const int64_t values[] = {
		0, 1, -1, 65535, INT64_MIN, INT64_MAX, 0x0102030405060708};
	uint8_t b[8];

	pvctl_ivshmem_encode(0x0102030405060708, b);
	for (int i = 0; i < 8; i++)
		assert_int_equal(b[i], 8 - i); /* little-endian */
	pvctl_ivshmem_encode(-1, b);
	for (int i = 0; i < 8; i++)
		assert_int_equal(b[i], 0xff);
	for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++) {
		pvctl_ivshmem_encode(values[i], b);
		assert_true(pvctl_ivshmem_decode(b) == values[i]);
	}
}

static int feed(struct pvctl_ivshmem_rx *rx, int64_t v, bool fd)
{
	struct pvctl_ivshmem_msg m;
	uint8_t b[8];

	pvctl_ivshmem_encode(v, b);
	return pvctl_ivshmem_rx_feed(rx, b, sizeof(b), fd, &m);
}

/* Every setup the server would send passes the validator, in order. */
static void test_setup_sequence(void **state)
{
	static const uint32_t ns[] = {1, 2, 4, 64, 1000};
	static const uint32_t ids[] = {0, 2, 300, PVCTL_IVSHMEM_MAX_ID};

	for (size_t a = 0; a < sizeof(ns) / sizeof(*ns); a++)
		for (size_t b = 0; b < sizeof(ids) / sizeof(*ids); b++) {
			uint32_t n = ns[a], id = ids[b];
			struct pvctl_ivshmem_rx rx;
			struct pvctl_ivshmem_msg m, got;
			uint8_t buf[8];

			pvctl_ivshmem_rx_init(&rx, n);
			assert_int_equal(pvctl_ivshmem_setup_len(n), 3 + 2 * n);
			for (uint32_t k = 0; k < pvctl_ivshmem_setup_len(n);
			     k++) {
				assert_false(pvctl_ivshmem_rx_ready(&rx));
				assert_int_equal(
					pvctl_ivshmem_setup_msg(k, id, n, &m),
					0);
				pvctl_ivshmem_encode(m.value, buf);
				assert_int_equal(
					pvctl_ivshmem_rx_feed(
						&rx, buf, 8,
						m.fd != PVCTL_IVSHMEM_FD_NONE,
						&got),
					(int)m.fd);
				assert_int_equal(got.vector, m.vector);
			}
			assert_true(pvctl_ivshmem_rx_ready(&rx));
			assert_int_equal(rx.id, id);
			assert_int_equal(
				pvctl_ivshmem_setup_msg(
					pvctl_ivshmem_setup_len(n), id, n, &m),
				-EINVAL);
			/* Later, only the module (peer 1) gone. */
			assert_int_equal(feed(&rx, 1, false), 0);
			assert_int_equal(rx.state, PVCTL_IVSHMEM_RX_GONE);
			assert_int_equal(feed(&rx, 1, false), -EPROTO);
		}
}

static void test_setup_msg_bounds(void **state)
{
	struct pvctl_ivshmem_msg m;

	assert_int_equal(pvctl_ivshmem_setup_msg(0, 1, 1, &m), -EINVAL);
	assert_int_equal(pvctl_ivshmem_setup_msg(0, 65536, 1, &m), -EINVAL);
	assert_int_equal(pvctl_ivshmem_setup_msg(0, 0, 0, &m), -EINVAL);
	assert_int_equal(pvctl_ivshmem_setup_msg(
				 0, 0, PVCTL_IVSHMEM_MAX_VECTORS + 1, &m),
			 -EINVAL);
	assert_int_equal(pvctl_ivshmem_setup_msg(3, 0, 1, &m), 0);
	assert_int_equal(m.fd, PVCTL_IVSHMEM_FD_DOORBELL);
	assert_int_equal(m.value, PVCTL_IVSHMEM_MODULE_ID);
	assert_int_equal(pvctl_ivshmem_setup_msg(4, 0, 1, &m), 0);
	assert_int_equal(m.fd, PVCTL_IVSHMEM_FD_IRQ);
	assert_int_equal(m.value, PVCTL_IVSHMEM_CLIENT_ID);
	assert_int_equal(pvctl_ivshmem_setup_msg(5, 0, 1, &m), -EINVAL);
}

/* Streams the validator refuses, each from a fresh start: {value, fd}. */
struct bad {
	const char *what;
	int n;
	int64_t v[6];
	bool fd[6];
};

static void test_validator_refuses(void **state)
{
	static const struct bad bad[] = {
		{"version 1", 1, {1}, {false}},
		{"version with an fd", 1, {0}, {true}},
		{"refused (-1)", 1, {PVCTL_IVSHMEM_REFUSED}, {false}},
		{"ID 1 (the module's)", 2, {0, 1}, {false, false}},
		{"ID -2", 2, {0, -2}, {false, false}},
		{"ID 65536", 2, {0, 65536}, {false, false}},
		{"ID with an fd", 2, {0, 0}, {false, true}},
		{"memory without an fd", 3, {0, 0, -1}, {false, false, false}},
		{"not -1 for the memory", 3, {0, 0, 0}, {false, false, true}},
		{"own vector before the module's",
		 4,
		 {0, 0, -1, 0},
		 {false, false, true, true}},
		{"another peer", 4, {0, 0, -1, 2}, {false, false, true, true}},
		{"a third module vector of 2",
		 6,
		 {0, 0, -1, 1, 1, 1},
		 {false, false, true, true, true, true}},
		{"own ID without an fd",
		 5,
		 {0, 0, -1, 1, 0},
		 {false, false, true, true, false}},
	};
	uint8_t b[8] = {0};
	struct pvctl_ivshmem_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct pvctl_ivshmem_rx rx;
		int r = 0;

		pvctl_ivshmem_rx_init(&rx, 2);
		for (int k = 0; k < bad[i].n; k++)
			r = feed(&rx, bad[i].v[k], bad[i].fd[k]);
		if (r != -EPROTO)
			fail_msg("accepted: %s", bad[i].what);
		/* Refused once, refused for good. */
		assert_int_equal(feed(&rx, 0, false), -EPROTO);
	}
	/* A message is 8 bytes, no fewer, no more. */
	for (size_t len = 0; len < 8; len++) {
		struct pvctl_ivshmem_rx rx;

		pvctl_ivshmem_rx_init(&rx, 2);
		assert_int_equal(pvctl_ivshmem_rx_feed(&rx, b, len, false, &m),
				 -EPROTO);
	}
}

/* ----------------------------------------------------------- the server */

#define N 3

struct fixture {
	char dir[64], path[128];
	sd_event *e;
	struct pvctl_ivshmem_server *srv;
	int memfd, doorbell[N];
	int irq[N]; /* what the region source was last told */
	int irq_calls;
	int opens;  /* regions opened */
	uint32_t n; /* vectors */
	int *many;  /* doorbells when n > N */
};

static void on_irq_fds(void *arg, const int *fds, uint32_t n)
{
	struct fixture *f = arg;

	f->irq_calls++;
	for (uint32_t i = 0; i < N && i < n; i++)
		f->irq[i] = fds ? fds[i] : -1;
}

static int open_region(void *arg, struct pvctl_region **out, char *why,
		       size_t whylen)
{
	struct fixture *f = arg;

	f->opens++;
	return pvctl_region_open_memfd(f->memfd,
				       f->many ? f->many : f->doorbell, f->n,
				       on_irq_fds, f, out);
}

static struct fixture *server(uint32_t n, uid_t allow, off_t size)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct pvctl_ivshmem_opts o = {
		.mode = 0600,
		.allow_uid = allow,
		.n_vectors = n,
		.open_region = open_region,
	};
	char why[256];

	assert_non_null(f);
	f->n = n;
	strcpy(f->dir, "/tmp/test-ivshmem-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/s", f->dir);
	f->memfd = memfd_create("r", MFD_CLOEXEC);
	assert_int_equal(ftruncate(f->memfd, size), 0);
	for (int i = 0; i < N; i++) {
		f->doorbell[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		f->irq[i] = -1;
	}
	if (n > N) {
		f->many = malloc(n * sizeof(int));
		for (uint32_t i = 0; i < n; i++)
			f->many[i] = f->doorbell[i % N];
	}
	o.path = f->path;
	o.arg = f;
	assert_int_equal(sd_event_new(&f->e), 0);
	if (pvctl_ivshmem_server_new(f->e, &o, &f->srv, why, sizeof(why)))
		fail_msg("server: %s", why);
	return f;
}

static void server_done(struct fixture *f)
{
	pvctl_ivshmem_server_free(f->srv);
	assert_int_equal(access(f->path, F_OK), -1); /* removed */
	sd_event_unref(f->e);
	for (int i = 0; i < N; i++)
		close(f->doorbell[i]);
	close(f->memfd);
	rmdir(f->dir);
	free(f->many);
	free(f);
}

static void spin(struct fixture *f)
{
	for (int i = 0; i < 20; i++)
		assert_true(sd_event_run(f->e, 1000) >= 0);
}

static int client(struct fixture *f)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(a.sun_path, f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* One message without waiting: 1 with it, 0 at end of file, -1 none. */
static int recv_one(int fd, int64_t *v, int *rfd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	uint8_t b[8];
	struct iovec iov = {.iov_base = b, .iov_len = 8};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *h;
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	assert_int_equal(n, 8);
	*v = pvctl_ivshmem_decode(b);
	*rfd = -1;
	h = CMSG_FIRSTHDR(&mh);
	if (h && h->cmsg_type == SCM_RIGHTS)
		memcpy(rfd, CMSG_DATA(h), sizeof(int));
	return 1;
}

/* Reads the setup, checking each message; returns the ID.  @irqs gets
 * the client's own eventfds (N of them). */
static int64_t read_setup(struct fixture *f, int fd, int *irqs, int *region)
{
	struct pvctl_ivshmem_rx rx;
	struct pvctl_ivshmem_msg m;
	uint8_t b[8];
	int64_t v;
	int rfd, r, idle = 0;

	pvctl_ivshmem_rx_init(&rx, f->n);
	while (!pvctl_ivshmem_rx_ready(&rx)) {
		r = recv_one(fd, &v, &rfd);
		if (r < 0) {
			assert_true(++idle < 1000);
			assert_true(sd_event_run(f->e, 10000) >= 0);
			continue;
		}
		assert_int_equal(r, 1);
		pvctl_ivshmem_encode(v, b);
		r = pvctl_ivshmem_rx_feed(&rx, b, 8, rfd >= 0, &m);
		assert_true(r >= 0);
		if (m.fd == PVCTL_IVSHMEM_FD_IRQ && m.vector < N && irqs)
			irqs[m.vector] = rfd;
		else if (m.fd == PVCTL_IVSHMEM_FD_REGION && region)
			*region = rfd;
		else if (rfd >= 0)
			close(rfd);
	}
	return rx.id;
}

static void test_serve(void **state)
{
	struct fixture *f = server(N, (uid_t)-1, 1 << 16);
	int c1 = client(f), c2, irqs1[N], irqs2[N], region = -1, rfd;
	struct stat a, b;
	uint64_t one = 1, n;
	int64_t v;

	assert_int_equal(read_setup(f, c1, irqs1, &region), 0);
	/* The memory is the memfd; the interrupts go to client 1. */
	assert_int_equal(fstat(region, &a), 0);
	assert_int_equal(fstat(f->memfd, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_size == 1 << 16);
	close(region);
	for (int i = 0; i < N; i++) {
		assert_int_equal(write(f->irq[i], &one, 8), 8);
		assert_int_equal(read(irqs1[i], &n, 8), 8);
		assert_int_equal(n, 1);
	}
	/* A second client beside it (a migration's destination, a master
	 * too): ID 0 as well; interrupts stay with 1. */
	c2 = client(f);
	assert_int_equal(read_setup(f, c2, irqs2, NULL), 0);
	assert_int_equal(pvctl_ivshmem_server_clients(f->srv), 2);
	assert_int_equal(write(f->irq[0], &one, 8), 8);
	assert_int_equal(read(irqs1[0], &n, 8), 8);
	/* Client 1 leaves: they move to client 2. */
	close(c1);
	spin(f);
	assert_int_equal(pvctl_ivshmem_server_clients(f->srv), 1);
	assert_int_equal(write(f->irq[1], &one, 8), 8);
	assert_int_equal(read(irqs2[1], &n, 8), 8);
	/* It leaves too (virsh save): the region stays, interrupts go
	 * nowhere; a new client (virsh restore) gets the same region and
	 * fresh eventfds of its own. */
	close(c2);
	spin(f);
	assert_int_equal(pvctl_ivshmem_server_clients(f->srv), 0);
	assert_int_equal(f->irq[0], -1);
	assert_true(pvctl_ivshmem_server_holds(f->srv));
	c2 = client(f);
	for (int i = 0; i < N; i++)
		close(irqs2[i]);
	region = -1;
	assert_int_equal(read_setup(f, c2, irqs2, &region), 0);
	assert_int_equal(fstat(region, &a), 0);
	assert_true(a.st_ino == b.st_ino);
	close(region);
	assert_int_equal(f->opens, 1);
	for (int i = 0; i < N; i++) {
		assert_true(f->irq[i] >= 0);
		assert_int_equal(write(f->irq[i], &one, 8), 8);
		assert_int_equal(read(irqs2[i], &n, 8), 8);
	}
	/* Rung: each doorbell once. */
	assert_int_equal(pvctl_ivshmem_server_ring(f->srv), N);
	for (int i = 0; i < N; i++) {
		assert_int_equal(read(f->doorbell[i], &n, 8), 8);
		assert_int_equal(n, 1);
	}
	assert_int_equal(pvctl_ivshmem_server_forget(f->srv), -EBUSY);
	/* The server stops: client 2 hears the module is gone, then EOF. */
	pvctl_ivshmem_server_free(f->srv);
	f->srv = NULL;
	assert_int_equal(recv_one(c2, &v, &rfd), 1);
	assert_true(v == PVCTL_IVSHMEM_MODULE_ID && rfd == -1);
	assert_int_equal(recv_one(c2, &v, &rfd), 0);
	/* With no client left, the source was told: nowhere. */
	assert_int_equal(f->irq[0], -1);
	for (int i = 0; i < N; i++) {
		close(irqs1[i]);
		close(irqs2[i]);
	}
	close(c2);
	server_done(f);
}

/* A VM that stopped for good lets its region go: the next boot gets a new
 * one. */
static void test_forget(void **state)
{
	struct fixture *f = server(N, (uid_t)-1, 1 << 16);
	int c;

	assert_false(pvctl_ivshmem_server_holds(f->srv));
	assert_int_equal(pvctl_ivshmem_server_ring(f->srv), 0);
	assert_int_equal(pvctl_ivshmem_server_hold(f->srv), 0);
	assert_true(pvctl_ivshmem_server_holds(f->srv));
	assert_int_equal(f->opens, 1);
	c = client(f);
	read_setup(f, c, NULL, NULL);
	assert_int_equal(f->opens, 1);
	close(c);
	spin(f);
	assert_int_equal(pvctl_ivshmem_server_forget(f->srv), 0);
	assert_false(pvctl_ivshmem_server_holds(f->srv));
	c = client(f);
	read_setup(f, c, NULL, NULL);
	assert_int_equal(f->opens, 2);
	close(c);
	server_done(f);
}

static void test_client_sends(void **state)
{
	struct fixture *f = server(N, (uid_t)-1, 1 << 16);
	int c = client(f), rfd;
	int64_t v;

	read_setup(f, c, NULL, NULL);
	assert_int_equal(write(c, "x", 1), 1);
	spin(f);
	assert_int_equal(pvctl_ivshmem_server_clients(f->srv), 0);
	assert_int_equal(recv_one(c, &v, &rfd), 0); /* dropped */
	close(c);
	/* The next one is served again. */
	c = client(f);
	assert_int_equal(read_setup(f, c, NULL, NULL), 0);
	close(c);
	server_done(f);
}

static void expect_refused(struct fixture *f, int c)
{
	int64_t v;
	int rfd, r = -1;

	for (int i = 0; i < 100 && r < 0; i++) {
		assert_true(sd_event_run(f->e, 10000) >= 0);
		r = recv_one(c, &v, &rfd);
	}
	assert_int_equal(r, 1);
	assert_true(v == PVCTL_IVSHMEM_REFUSED && rfd == -1);
	assert_int_equal(recv_one(c, &v, &rfd), 0);
	close(c);
}

static void test_bounds(void **state)
{
	struct fixture *f = server(N, (uid_t)-1, 1 << 16);
	int c[PVCTL_IVSHMEM_MAX_CLIENTS];

	for (int i = 0; i < PVCTL_IVSHMEM_MAX_CLIENTS; i++) {
		c[i] = client(f);
		assert_int_equal(read_setup(f, c[i], NULL, NULL), 0);
	}
	expect_refused(f, client(f));
	for (int i = 0; i < PVCTL_IVSHMEM_MAX_CLIENTS; i++)
		close(c[i]);
	server_done(f);
	/* A region that is not a power of two is never sent. */
	f = server(N, (uid_t)-1, (1 << 16) + 4096);
	expect_refused(f, client(f));
	server_done(f);
}

/* Far more than the socket buffer holds: sent as the client reads. */
static void test_large_setup(void **state)
{
	const uint32_t n = 2000;
	struct rlimit rl;
	struct fixture *f;
	int c, queued;

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 4 * n + 64)
		skip();
	f = server(n, (uid_t)-1, 1 << 16);
	c = client(f);
	/* One turn of the loop sends what fits, and returns: the rest waits
	 * for the client to read. */
	for (int i = 0; i < 3; i++)
		assert_true(sd_event_run(f->e, 1000) >= 0);
	assert_int_equal(ioctl(c, SIOCINQ, &queued), 0);
	print_message("%d of %u bytes queued before the client reads\n", queued,
		      8 * pvctl_ivshmem_setup_len(n));
	assert_true(queued > 0 &&
		    (unsigned int)queued < 8 * pvctl_ivshmem_setup_len(n));
	assert_int_equal(read_setup(f, c, NULL, NULL), 0);
	close(c);
	server_done(f);
}

static void test_uid(void **state)
{
	struct fixture *f;
	int c, st;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	/* Root is always admitted; uid 65534 is not the allowed 12345. */
	f = server(N, 12345, 1 << 16);
	c = client(f);
	assert_int_equal(read_setup(f, c, NULL, NULL), 0);
	close(c);
	chmod(f->dir, 0755);
	chmod(f->path, 0666);
	pid = fork();
	if (pid == 0) {
		if (setuid(65534) < 0)
			_exit(2);
		c = client(f);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	assert_int_equal(WEXITSTATUS(st), 0);
	spin(f);
	assert_int_equal(pvctl_ivshmem_server_clients(f->srv), 0);
	assert_int_equal(pvctl_ivshmem_server_served(f->srv), 1);
	server_done(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_setup_sequence),
		cmocka_unit_test(test_setup_msg_bounds),
		cmocka_unit_test(test_validator_refuses),
		cmocka_unit_test(test_serve),
		cmocka_unit_test(test_client_sends),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_large_setup),
		cmocka_unit_test(test_uid),
		cmocka_unit_test(test_forget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
