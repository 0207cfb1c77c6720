// SPDX-License-Identifier: GPL-2.0-or-later
/* One VM's ivshmem-doorbell server (ivshmem_server.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ivshmem_proto.h"
#include "ivshmem_server.h"

struct client {
	struct pvctl_ivshmem_server *s;
	int fd;
	sd_event_source *src;
	uint32_t id;
	uint64_t serial; /* 1 for the first client served: in the log */
	uint32_t next;	 /* the setup message to send next */
	int *irq_fds;	 /* n_vectors, this client's own vectors */
};

struct pvctl_ivshmem_server {
	struct pvctl_ivshmem_opts o;
	char *path;
	dev_t dev;
	ino_t ino;
	int fd;
	sd_event_source *src;
	/* In the order they connected: clients[0] gets the interrupts. */
	struct client *clients[PVCTL_IVSHMEM_MAX_CLIENTS];
	unsigned int n;
	struct pvctl_region *region;
	uint64_t served;
};

static void logf_(struct pvctl_ivshmem_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void logf_(struct pvctl_ivshmem_server *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!s->o.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->o.log(s->o.arg, line);
}

/* Where the module's interrupts go: the oldest client's eventfds. */
static void route_irqs(struct pvctl_ivshmem_server *s)
{
	char why[256];

	if (!s->region)
		return;
	if (s->region->set_irq_fds(s->region,
				   s->n ? s->clients[0]->irq_fds : NULL, why,
				   sizeof(why)) < 0)
		logf_(s, "%s: routing interrupts: %s", s->path, why);
}

static void client_close(struct client *c)
{
	sd_event_source_disable_unref(c->src);
	if (c->fd >= 0)
		close(c->fd);
	for (uint32_t i = 0; c->irq_fds && i < c->s->o.n_vectors; i++)
		if (c->irq_fds[i] >= 0)
			close(c->irq_fds[i]);
	free(c->irq_fds);
	free(c);
}

static void client_drop(struct client *c, const char *why)
{
	struct pvctl_ivshmem_server *s = c->s;
	unsigned int i;

	for (i = 0; i < s->n && s->clients[i] != c; i++)
		;
	if (i == s->n)
		return;
	memmove(&s->clients[i], &s->clients[i + 1],
		(s->n - i - 1) * sizeof(s->clients[0]));
	s->n--;
	logf_(s, "%s: client #%llu %s", s->path, (unsigned long long)c->serial,
	      why);
	client_close(c);
	if (i == 0)
		route_irqs(s);
}

/* One message, or -EAGAIN when the socket is full. */
static int send_msg(int fd, int64_t value, int with_fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	uint8_t bytes[PVCTL_IVSHMEM_MSG_SIZE];
	struct iovec iov = {.iov_base = bytes, .iov_len = sizeof(bytes)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	pvctl_ivshmem_encode(value, bytes);
	if (with_fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		u.h.cmsg_level = SOL_SOCKET;
		u.h.cmsg_type = SCM_RIGHTS;
		u.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&u.h), &with_fd, sizeof(int));
	}
	do
		n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	/* A stream socket takes 8 bytes with their fd whole or not at all. */
	return n == (ssize_t)sizeof(bytes) ? 0 : -EPROTO;
}

static int msg_fd(const struct client *c, const struct pvctl_ivshmem_msg *m)
{
	switch (m->fd) {
	case PVCTL_IVSHMEM_FD_REGION: return c->s->region->fd;
	case PVCTL_IVSHMEM_FD_DOORBELL:
		return c->s->region->doorbell_fds[m->vector];
	case PVCTL_IVSHMEM_FD_IRQ: return c->irq_fds[m->vector];
	default: return -1;
	}
}

/* As much of the setup as the socket takes; 0, or -errno: drop it. */
static int client_send(struct client *c)
{
	uint32_t len = pvctl_ivshmem_setup_len(c->s->o.n_vectors);
	struct pvctl_ivshmem_msg m;
	int r;

	while (c->next < len) {
		r = pvctl_ivshmem_setup_msg(c->next, c->id, c->s->o.n_vectors,
					    &m);
		if (r < 0)
			return r;
		r = send_msg(c->fd, m.value, msg_fd(c, &m));
		if (r == -EAGAIN)
			return sd_event_source_set_io_events(
				c->src, EPOLLIN | EPOLLOUT);
		if (r < 0)
			return r;
		c->next++;
	}
	return sd_event_source_set_io_events(c->src, EPOLLIN);
}

/* Anything readable is an end of file, an error or a protocol error. */
static const char *client_input(struct client *c)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 16)];
	} u;
	uint8_t byte[PVCTL_IVSHMEM_MSG_SIZE];
	struct iovec iov = {.iov_base = byte, .iov_len = sizeof(byte)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	/* fds a client sent must not stay open here. */
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); n >= 0 && h;
	     h = CMSG_NXTHDR(&mh, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0;
			     i < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			     i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(h) + i * sizeof(int),
				       sizeof(int));
				close(fd);
			}
	if (n == 0)
		return "left";
	if (n > 0)
		return "sent data (a protocol error: clients never send); "
		       "dropped";
	if (errno == EAGAIN || errno == EINTR)
		return NULL;
	return "failed (socket error); dropped";
}

static int on_client(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct client *c = data;
	const char *gone = NULL;
	int r;

	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
		gone = client_input(c);
	if (!gone && (revents & EPOLLOUT)) {
		r = client_send(c);
		if (r < 0)
			gone = r == -EPIPE || r == -ECONNRESET
				       ? "left during the setup"
				       : "could not be sent its setup; dropped";
	}
	if (gone)
		client_drop(c, gone);
	return 0;
}

static bool power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* The region for the first client; checked, for QEMU refuses a BAR whose
 * size is not a power of two (and pvabi's layout needs a page). */
static int need_region(struct pvctl_ivshmem_server *s)
{
	struct pvctl_region *r = NULL;
	char why[256] = "";
	int err;

	if (s->region)
		return 0;
	err = s->o.open_region(s->o.arg, &r, why, sizeof(why));
	if (err < 0) {
		logf_(s, "%s: no region for the client: %s", s->path, why);
		return err;
	}
	if (!power_of_two(r->size) || r->size < 4096 ||
	    r->n_vcpus != s->o.n_vectors) {
		logf_(s,
		      "%s: the region (%llu bytes, %u vCPUs) does not fit "
		      "(a power of two >= 4096 bytes, %u vCPUs)",
		      s->path, (unsigned long long)r->size, r->n_vcpus,
		      s->o.n_vectors);
		pvctl_region_free(r);
		return -EINVAL;
	}
	s->region = r;
	return 0;
}

static bool peer_allowed(struct pvctl_ivshmem_server *s, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (s->o.allow_uid == (uid_t)-1)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return false;
	if (cr.uid == 0 || cr.uid == s->o.allow_uid)
		return true;
	logf_(s, "%s: refused a client of uid %u (pid %d)", s->path,
	      (unsigned int)cr.uid, (int)cr.pid);
	return false;
}

static int client_new(struct pvctl_ivshmem_server *s, int fd)
{
	struct client *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->s = s;
	c->fd = fd;
	c->irq_fds = malloc(s->o.n_vectors * sizeof(int));
	if (!c->irq_fds) {
		client_close(c);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < s->o.n_vectors; i++)
		c->irq_fds[i] = -1;
	for (uint32_t i = 0; i < s->o.n_vectors; i++) {
		c->irq_fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (c->irq_fds[i] < 0) {
			r = -errno;
			client_close(c);
			return r;
		}
	}
	r = sd_event_add_io(sd_event_source_get_event(s->src), &c->src, fd,
			    EPOLLIN | EPOLLOUT, on_client, c);
	if (r < 0) {
		client_close(c);
		return r;
	}
	c->id = PVCTL_IVSHMEM_CLIENT_ID;
	s->clients[s->n++] = c;
	c->serial = ++s->served;
	logf_(s,
	      "%s: client #%llu connected as ID %u (%u vectors, region %llu "
	      "bytes)",
	      s->path, (unsigned long long)c->serial, c->id, s->o.n_vectors,
	      (unsigned long long)s->region->size);
	if (s->n == 1)
		route_irqs(s);
	r = client_send(c);
	if (r < 0)
		client_drop(c, "could not be sent its setup; dropped");
	return 0;
}

static void accept_one(struct pvctl_ivshmem_server *s, int fd)
{
	int r;

	if (!peer_allowed(s, fd))
		goto refuse;
	if (s->n == PVCTL_IVSHMEM_MAX_CLIENTS) {
		logf_(s, "%s: refused a client: %u are connected", s->path,
		      s->n);
		goto refuse;
	}
	if (need_region(s) < 0)
		goto refuse;
	r = client_new(s, fd);
	if (r >= 0)
		return;
	logf_(s, "%s: refused a client: %s", s->path, strerror(-r));
	return; /* client_new() closed @fd */
refuse:
	/* QEMU 7.2 spins in its device's realize on an end of file before
	 * the setup; a version it does not speak makes it fail instead
	 * ("server sent version -1, expecting 0"). */
	send_msg(fd, PVCTL_IVSHMEM_REFUSED, -1);
	close(fd);
}

static int on_listen(sd_event_source *src, int fd, uint32_t revents, void *data)
{
	struct pvctl_ivshmem_server *s = data;

	/* A bounded batch per wakeup: the loop serves others in between. */
	for (int i = 0; i < 16; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				logf_(s, "%s: accept: %s", s->path,
				      strerror(errno));
			break;
		}
		accept_one(s, cfd);
	}
	return 0;
}

static int fail(int err, char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(int err, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

static int bind_path(struct pvctl_ivshmem_server *s, char *why, size_t whylen)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct stat st;

	if (strlen(s->path) >= sizeof(a.sun_path))
		return fail(EINVAL, why, whylen,
			    "%s: too long for a socket path", s->path);
	strcpy(a.sun_path, s->path);
	/* A socket left by a previous pvctld is stale: nobody listens. */
	if (lstat(s->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return fail(EEXIST, why, whylen,
				    "%s exists and is not a socket", s->path);
		unlink(s->path);
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return fail(errno, why, whylen, "socket: %s", strerror(errno));
	if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail(errno, why, whylen, "bind %s: %s", s->path,
			    strerror(errno));
	/* bind() honoured the umask; the mode is set after (never wider
	 * before), and who connects is checked again at accept. */
	if (chmod(s->path, s->o.mode) < 0 || lstat(s->path, &st) < 0)
		return fail(errno, why, whylen, "chmod %s: %s", s->path,
			    strerror(errno));
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (listen(s->fd, PVCTL_IVSHMEM_MAX_CLIENTS) < 0)
		return fail(errno, why, whylen, "listen %s: %s", s->path,
			    strerror(errno));
	return 0;
}

int pvctl_ivshmem_server_new(sd_event *e, const struct pvctl_ivshmem_opts *o,
			     struct pvctl_ivshmem_server **out, char *why,
			     size_t whylen)
{
	struct pvctl_ivshmem_server *s;
	int r;

	*out = NULL;
	if (!o->path || !o->open_region || o->n_vectors < 1 ||
	    o->n_vectors > PVCTL_IVSHMEM_MAX_VECTORS)
		return fail(EINVAL, why, whylen,
			    "no path, no region source, or vectors (%u) "
			    "outside 1 ... %u",
			    o->n_vectors, PVCTL_IVSHMEM_MAX_VECTORS);
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(o->path))) {
		free(s);
		return fail(ENOMEM, why, whylen, "out of memory");
	}
	s->o = *o;
	s->o.path = s->path;
	s->fd = -1;
	r = bind_path(s, why, whylen);
	if (r >= 0) {
		r = sd_event_add_io(e, &s->src, s->fd, EPOLLIN, on_listen, s);
		if (r < 0)
			fail(r, why, whylen, "sd_event_add_io: %s",
			     strerror(-r));
	}
	if (r < 0) {
		pvctl_ivshmem_server_free(s);
		return r;
	}
	*out = s;
	return 0;
}

void pvctl_ivshmem_server_free(struct pvctl_ivshmem_server *s)
{
	struct stat st;

	if (!s)
		return;
	while (s->n) {
		struct client *c = s->clients[s->n - 1];

		/* Best effort: a client whose setup is not out yet has not
		 * got peer 0 either. */
		if (c->next == pvctl_ivshmem_setup_len(s->o.n_vectors))
			send_msg(c->fd, PVCTL_IVSHMEM_MODULE_ID, -1);
		client_drop(c, "told the module is gone (the server stops)");
	}
	pvctl_region_free(s->region);
	sd_event_source_disable_unref(s->src);
	if (s->fd >= 0) {
		close(s->fd);
		if (lstat(s->path, &st) == 0 && st.st_dev == s->dev &&
		    st.st_ino == s->ino)
			unlink(s->path);
	}
	free(s->path);
	free(s);
}

int pvctl_ivshmem_server_hold(struct pvctl_ivshmem_server *s)
{
	return need_region(s);
}

bool pvctl_ivshmem_server_holds(const struct pvctl_ivshmem_server *s)
{
	return s->region != NULL;
}

const struct pvctl_region *
pvctl_ivshmem_server_region(const struct pvctl_ivshmem_server *s)
{
	return s->region;
}

int pvctl_ivshmem_server_forget(struct pvctl_ivshmem_server *s)
{
	if (s->n)
		return -EBUSY;
	if (s->region)
		logf_(s, "%s: the region is let go (the VM starts afresh)",
		      s->path);
	pvctl_region_free(s->region);
	s->region = NULL;
	return 0;
}

unsigned int pvctl_ivshmem_server_ring(struct pvctl_ivshmem_server *s)
{
	const uint64_t one = 1;
	unsigned int rung = 0;

	for (uint32_t i = 0; s->region && i < s->region->n_vcpus; i++)
		rung += s->region->doorbell_fds[i] >= 0 &&
			write(s->region->doorbell_fds[i], &one, sizeof(one)) ==
				(ssize_t)sizeof(one);
	return rung;
}

unsigned int pvctl_ivshmem_server_clients(const struct pvctl_ivshmem_server *s)
{
	return s->n;
}

uint64_t pvctl_ivshmem_server_served(const struct pvctl_ivshmem_server *s)
{
	return s->served;
}
