// SPDX-License-Identifier: GPL-2.0-or-later
/* pvctld: pvabi's control-plane daemon (see README.md, "pvctld"). */
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>

#include <systemd/sd-daemon.h>

#include "bus_open.h"
#include "pvctld.h"

void log_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("pvctld: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int log_error_errno(int err, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	fputs("pvctld: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	return -err;
}

struct options {
	const char *config;
	bool config_given;
	const char *connect;
	struct pvctl_bus_opts bus;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pvctld [OPTIONS]\n\n"
		"pvabi's control-plane daemon: per-VM settings in libvirt "
		"metadata,\n"
		"served as %s on D-Bus.\n\n"
		"  -c, --connect URI   libvirt URI (default from the config "
		"file, else\n"
		"                      libvirt's own default, as virsh "
		"finds it)\n"
		"      --config FILE   configuration (default %s)\n"
		"      --system        the system bus (default; "
		"DBUS_SYSTEM_BUS_ADDRESS applies)\n"
		"      --user          the user bus\n"
		"      --address ADDR  the bus at ADDR (also "
		"$PVCTL_BUS_ADDRESS)\n"
		"  -h, --help          this text\n"
		"      --version       the version\n",
		PVCTLD_BUS_NAME, PVCTL_CONFIG_PATH);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum {
		OPT_CONFIG = 256,
		OPT_SYSTEM,
		OPT_USER,
		OPT_ADDRESS,
		OPT_VERSION
	};
	static const struct option opts[] = {
		{"connect", required_argument, NULL, 'c'},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"system", no_argument, NULL, OPT_SYSTEM},
		{"user", no_argument, NULL, OPT_USER},
		{"address", required_argument, NULL, OPT_ADDRESS},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{0}};
	int ch;

	o->config = PVCTL_CONFIG_PATH;
	o->bus.address = getenv("PVCTL_BUS_ADDRESS");
	o->bus.kind = o->bus.address && *o->bus.address ? PVCTL_BUS_ADDRESS
							: PVCTL_BUS_SYSTEM;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->connect = optarg; break;
		case OPT_CONFIG:
			o->config = optarg;
			o->config_given = true;
			break;
		case OPT_SYSTEM: o->bus.kind = PVCTL_BUS_SYSTEM; break;
		case OPT_USER: o->bus.kind = PVCTL_BUS_USER; break;
		case OPT_ADDRESS:
			o->bus.kind = PVCTL_BUS_ADDRESS;
			o->bus.address = optarg;
			break;
		case 'h': usage(stdout); exit(0);
		case OPT_VERSION:
			printf("pvctld %s (ABI %d.%d)\n", PACKAGE_VERSION,
			       PVABI_VERSION_MAJOR, PVABI_VERSION_MINOR);
			exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind != argc) {
		log_msg("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static gid_t resolve_group(const char *name)
{
	struct group *g = getgrnam(name);
	char *end;
	unsigned long n;

	if (g)
		return g->gr_gid;
	n = strtoul(name, &end, 10);
	if (*name && !*end && n < (gid_t)-1)
		return (gid_t)n;
	return (gid_t)-1;
}

int main(int argc, char **argv)
{
	struct pvctld c = {
		.lifecycle_id = -1,
		.metadata_id = -1,
		.wake_fd = -1,
		.lock = PTHREAD_MUTEX_INITIALIZER,
	};
	struct options o = {0};
	sigset_t ss;
	char why[512];
	int r;

	c.queue_tail = &c.queue;
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	pvctl_config_default(&c.config);
	if (pvctl_config_load(o.config, o.config_given, &c.config, why,
			      sizeof(why))) {
		log_msg("%s", why);
		return 2;
	}
	if (o.connect) {
		if (strlen(o.connect) >= sizeof(c.config.connect)) {
			log_msg("--connect '%.64s...' is too long", o.connect);
			return 2;
		}
		strcpy(c.config.connect, o.connect);
	}
	if (c.config.connect[0] &&
	    pvctl_config_check_uri(c.config.connect, why, sizeof(why))) {
		log_msg("connect: %s", why);
		return 2;
	}
	c.uri = c.config.connect;
	c.group = resolve_group(c.config.group);

	/* As systemd does for every service (IgnoreSIGPIPE=yes), and so also
	 * when started by hand or by a test: libvirt's client writes to its
	 * socket with write() (virNetSocketWriteWire), so a libvirtd that goes
	 * away under a call raises SIGPIPE, whose default action ends pvctld
	 * without a word where it must reconnect.  It vanished so once, under
	 * ASan, in tests/ctl/libvirtd-restart.sh: no report, no log line. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	r = sd_event_default(&c.event);
	if (r < 0)
		return log_error_errno(r, "sd_event_default"), 1;
	sd_event_add_signal(c.event, NULL, SIGTERM, NULL, NULL);
	sd_event_add_signal(c.event, NULL, SIGINT, NULL, NULL);

	r = virt_open(&c);
	if (r < 0)
		goto out;
	vmsock_open_all(&c);
	r = pvctl_bus_open(&o.bus, &c.bus);
	if (r < 0) {
		log_error_errno(r, "cannot connect to the bus");
		goto out;
	}
	r = bus_setup(&c);
	if (r < 0)
		goto out;
	r = kmod_setup(&c);
	if (r < 0)
		goto out;
	log_msg("serving %s for %s", PVCTLD_BUS_NAME, virt_uri_name(&c));
	virt_notify_status(&c, "READY=1\n");
	r = sd_event_loop(c.event);
	sd_notify(0, "STOPPING=1");
out:
	vmsock_close_all(&c);
	kmod_done(&c);
	auth_done(&c);
	sd_bus_flush_close_unref(c.bus);
	objects_done(&c);
	virt_close(&c);
	sd_event_unref(c.event);
	return r < 0 ? 1 : 0;
}
