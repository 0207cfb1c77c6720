// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctl hook: libvirt's qemu hook (/etc/libvirt/hooks/qemu).  "prepare
 * begin" is hook_kernel.c's: patch policy "host" on a direct-boot kernel.
 *
 * libvirt runs "qemu DOMAIN migrate begin -" on the destination host with
 * the incoming domain XML on stdin; a non-zero exit cancels the migration
 * and libvirt shows what the hook wrote on stderr.  The VM's pvabi settings
 * travel in that XML; this host's offer comes from its pvctld.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "client.h"
#include "metadata.h"
#include "migrate.h"
#include "pvctl.h"

/* libvirt waits for the hook, and a migration with it: whatever pvctld does
 * (stalled, absent, restarting), the hook answers within 5 s.  The call to
 * pvctld may take HOOK_CALL_USEC; an alarm ends anything else that hangs
 * (the bus itself) at HOOK_DEADLINE_USEC. */
#define HOOK_CALL_USEC	   3000000ULL
#define HOOK_DEADLINE_USEC 4500000ULL

static char deadline_line[512];

static void deadline(int sig)
{
	(void)sig;
	/* One line for libvirt's log, then a refusal: async-signal-safe. */
	if (write(STDERR_FILENO, deadline_line, strlen(deadline_line)) < 0)
		_exit(PVCTL_REFUSED);
	_exit(PVCTL_REFUSED);
}

static void arm_deadline(const char *domain)
{
	struct itimerval it = {
		.it_value = {.tv_sec = HOOK_DEADLINE_USEC / 1000000,
			     .tv_usec = HOOK_DEADLINE_USEC % 1000000}};

	snprintf(deadline_line, sizeof(deadline_line),
		 "%s: pvabi: refusing VM '%s': no answer from the bus or "
		 "pvctld within %.1f s\n",
		 pvctl_prog, domain, HOOK_DEADLINE_USEC / 1e6);
	signal(SIGALRM, deadline);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* This host's offer from its pvctld (the bus: the system bus, or
 * $PVCTL_BUS_ADDRESS), within the hook's deadline.  0, or a refusal said. */
static int host_offer(const char *domain, struct pvabi_offer *offer)
{
	struct pvctl_bus_opts bus = {PVCTL_BUS_SYSTEM, NULL};
	struct pvctl_host_offer host = {0};
	struct pvctl_client *cl;
	const char *env = getenv("PVCTL_BUS_ADDRESS");
	char why[256];
	int r;

	if (env && *env) {
		bus.kind = PVCTL_BUS_ADDRESS;
		bus.address = env;
	}
	arm_deadline(domain);
	r = pvctl_client_open(&bus, &cl);
	if (r)
		return PVCTL_REFUSED;
	cl->timeout_usec = HOOK_CALL_USEC;
	r = cl->ops->get_offer(cl, &host);
	if (r)
		r = pvctl_error(PVCTL_REFUSED,
				"pvabi: refusing VM '%s': cannot check it with "
				"pvctld: %s",
				domain, cl->error);
	cl->ops->close(cl);
	if (!r && pvabi_fdt_read_offer(host.dtb, host.dtb_len, offer, why,
				       sizeof(why)))
		r = pvctl_error(PVCTL_REFUSED, "pvabi: this host's offer: %s",
				why);
	free(host.dtb);
	/* What follows (patching a kernel) takes its own time. */
	setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {0, 0}}, NULL);
	return r;
}

int pvctl_hook_read(const char *domain, const char *what, void **xml,
		    size_t *len, struct pvctl_vm_settings *s)
{
	char why[256];
	int r = pvctl_read_file("-", xml, len);

	if (r)
		return r;
	memset(s, 0, sizeof(*s));
	r = pvctl_metadata_parse(*xml, *len, s, why, sizeof(why));
	if (!r)
		return PVCTL_OK;
	free(*xml);
	*xml = NULL;
	/* Without pvabi metadata the VM never used pvabi. */
	if (r == PVABI_E_NOTFOUND)
		return PVCTL_OK;
	return pvctl_error(PVCTL_REFUSED,
			   "pvabi: refusing %s VM '%s': its pvabi metadata: %s",
			   what, domain, why);
}

int pvctl_hook_here(const char *domain, void *xml, size_t len,
		    struct pvctl_vm_settings *s, struct pvabi_offer *offer)
{
	int r = host_offer(domain, offer);

	/* Read again over this host's defaults, so that what the metadata
	 * leaves out means what it means here. */
	if (!r) {
		pvctl_settings_default(s, offer);
		pvctl_metadata_parse(xml, len, s, NULL, 0);
	}
	free(xml);
	return r;
}

static int hook_migrate_begin(const char *domain)
{
	struct pvctl_migration_verdict v;
	struct pvctl_vm_settings s;
	struct pvabi_offer offer;
	char line[1024] = "";
	void *xml;
	size_t len;
	int r;

	r = pvctl_hook_read(domain, "to migrate in", &xml, &len, &s);
	if (r || !xml)
		return r;
	/* A disabled VM uses nothing of pvabi: nothing to check. */
	if (!s.enabled) {
		free(xml);
		return PVCTL_OK;
	}
	r = pvctl_hook_here(domain, xml, len, &s, &offer);
	if (r)
		return r;
	pvctl_migration_check(&s, NULL, &offer, &v);
	if (v.compatible)
		return PVCTL_OK;
	for (unsigned int i = 0; i < v.n_reasons; i++)
		pvctl_append(line, sizeof(line), "; ", v.reasons[i]);
	return pvctl_refuse(PVCTL_REFUSED, "incompatible", NULL,
			    "pvabi: VM '%s' cannot run on this host: %s",
			    domain, line);
}

static int hook(int argc, char **argv)
{
	if (argc < 3)
		return pvctl_usage_error(
			"hook: want DOMAIN OPERATION SUB-OPERATION [EXTRA]");
	if (!strcmp(argv[2], "migrate") && argc > 3 &&
	    !strcmp(argv[3], "begin"))
		return hook_migrate_begin(argv[1]);
	if (!strcmp(argv[2], "prepare") && argc > 3 &&
	    !strcmp(argv[3], "begin"))
		return pvctl_hook_prepare(argv[1]);
	/* Every other event is none of pvabi's business. */
	return PVCTL_OK;
}

const struct pvctl_cmd pvctl_hook_cmds[] = {
	{"hook", hook,
	 "libvirt qemu hook: refuse incompatible migrations, patch kernels",
	 "hook DOMAIN OPERATION SUB-OPERATION [EXTRA] < DOMAIN.xml",
	 "Install as /etc/libvirt/hooks/qemu (or a script in qemu.d/ that "
	 "runs\n"
	 "'pvctl hook \"$@\"').  On 'migrate begin' it reads the incoming "
	 "domain\n"
	 "XML and exits 1, with the reason on stderr, when this host cannot\n"
	 "offer what the VM's pvabi settings may have let the guest use, or\n"
	 "when pvctld does not answer within 3 s (the hook ends within 5 s\n"
	 "whatever the daemon does).\n"
	 "On 'prepare begin', for a VM whose patch policy is 'host' and that\n"
	 "boots pvabi's copy of its kernel, it patches the original into\n"
	 "/var/lib/pvabi/kernels/UUID.vmlinux (and UUID.json, which 'pvctl\n"
	 "show' reads), or exits 1 with the reason, refusing the start.\n"
	 "The bus is the system bus, or $PVCTL_BUS_ADDRESS.\n",
	 NULL},
	{0}};
