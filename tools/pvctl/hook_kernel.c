// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctl hook DOMAIN prepare begin: a VM whose patch policy is "host" boots
 * pvabi's patched copy of its direct-boot kernel (libpvctl/kernel.h).
 *
 * libvirt runs "prepare begin" before it starts QEMU and before it labels
 * the VM's files (so the copy is labelled like any kernel), with the domain
 * XML on stdin; a non-zero exit refuses the start with what the hook wrote
 * on stderr.  The original is read, never written; the copy is patched
 * again at every start, so a changed original is followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel.h"
#include "metadata.h"
#include "pvctl.h"
#include "pvabi/patch.h"

struct by_class {
	unsigned long patched[32]; /* by PVABI_PC_* bit */
};

static int count_patched(void *ctx, pvabi_u64 addr,
			 const struct pvabi_ppc_insn *insn,
			 enum pvabi_patch_skip why)
{
	struct by_class *k = ctx;

	(void)addr;
	if (why == PVABI_SKIP_NONE && insn->cls)
		k->patched[__builtin_ctz(insn->cls)]++;
	return 0;
}

/* The whole regular file @path into *@data (free()); 0 or -errno. */
static int read_image(const char *path, void **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	struct stat st;
	size_t done = 0;
	ssize_t n;

	*data = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else if (!(*data = malloc(st.st_size ? (size_t)st.st_size : 1)))
		err = -ENOMEM;
	while (!err && done < (size_t)st.st_size) {
		n = read(fd, (char *)*data + done, (size_t)st.st_size - done);
		if (n <= 0)
			err = n ? -errno : -EIO;
		else
			done += (size_t)n;
	}
	close(fd);
	if (err) {
		free(*data);
		*data = NULL;
	}
	*len = done;
	return err;
}

/* What was done, beside the copy, for 'pvctl show'. */
static int write_report(const char *domain, const struct pvctl_kernel_paths *p,
			const char *policy, const char *features,
			const char *src_sum, const char *sum,
			const struct pvabi_patch_stats *st,
			const struct by_class *k, const char *note)
{
	struct json_object *o = json_object_new_object();
	struct json_object *by = json_object_new_object();
	const char *text;
	int r;

	for (unsigned int b = 0; b < 32; b++)
		if (pvabi_ppc_class_name(1u << b))
			json_object_object_add(
				by, pvabi_ppc_class_name(1u << b),
				json_object_new_int64((int64_t)k->patched[b]));
	json_object_object_add(o, "vm", json_object_new_string(domain));
	json_object_object_add(o, "source", json_object_new_string(p->source));
	json_object_object_add(o, "source_sha256",
			       json_object_new_string(src_sum));
	json_object_object_add(o, "copy", json_object_new_string(p->copy));
	json_object_object_add(o, "sha256", json_object_new_string(sum));
	json_object_object_add(o, "policy", json_object_new_string(policy));
	json_object_object_add(o, "features", json_object_new_string(features));
	json_object_object_add(o, "sites",
			       json_object_new_int64((int64_t)st->sites));
	json_object_object_add(o, "patched",
			       json_object_new_int64((int64_t)st->patched));
	json_object_object_add(o, "skipped",
			       json_object_new_int64((int64_t)st->skipped));
	json_object_object_add(o, "by_class", by);
	json_object_object_add(o, "note", json_object_new_string(note));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	r = pvctl_write_file(p->report, text, strlen(text));
	json_object_put(o);
	return r;
}

int pvctl_hook_prepare(const char *domain)
{
	struct pvabi_patch_config cfg = {.by = PVABI_PATCH_BY_HOST,
					 .base_reg = PVABI_PATCH_ABSOLUTE};
	struct pvabi_patch_image im = {0};
	struct pvabi_patch_stats st = {0};
	struct pvctl_kernel_paths p;
	struct pvctl_vm_settings s;
	struct pvabi_offer offer, clamped;
	struct by_class k = {{0}};
	char why[512], policy[PVCTL_PATCH_TEXT_MAX], features[256];
	char src_sum[65], sum[65];
	const char *note = "";
	void *xml, *image = NULL;
	size_t len, ilen = 0;
	int r;

	r = pvctl_hook_read(domain, "to start", &xml, &len, &s);
	if (r || !xml)
		return r;
	/* Only a VM under "host" that boots a kernel directly is ours. */
	if (s.patch.mode != PVABI_PATCH_HOST) {
		free(xml);
		return PVCTL_OK;
	}
	r = pvctl_kernel_paths(xml, len, &p, why, sizeof(why));
	if (!p.kernel[0] || r) {
		free(xml);
		return p.kernel[0]
			       ? pvctl_error(PVCTL_REFUSED,
					     "pvabi: VM '%s': %s", domain, why)
			       : PVCTL_OK;
	}
	if (!p.source[0] || strcmp(p.kernel, p.copy)) {
		free(xml);
		return pvctl_error(
			PVCTL_REFUSED,
			"pvabi: refusing to start VM '%s': its patch policy "
			"is 'host' but its <kernel> %s is not pvabi's copy %s "
			"(set the policy to guest and back to host: pvctl "
			"policy %s --patch guest)",
			domain, p.kernel, p.copy, domain);
	}
	r = pvctl_hook_here(domain, xml, len, &s, &offer);
	if (r)
		return r;
	/* The templates use what the guest may negotiate here: the VM's
	 * features within this host's offer. */
	if (pvctl_settings_clamp(&s, &offer, &clamped))
		clamped.features = 0;
	cfg.features = clamped.features;
	pvctl_patch_policy_text(&s.patch, policy, sizeof(policy));
	if (pvabi_features_format(cfg.features, features, sizeof(features)) < 0)
		features[0] = 0;

	r = read_image(p.source, &image, &ilen);
	if (r)
		return pvctl_error(PVCTL_REFUSED,
				   "pvabi: refusing to start VM '%s': cannot "
				   "read its kernel %s: %s",
				   domain, p.source, strerror(-r));
	pvctl_sha256_hex(image, ilen, src_sum);
	im.data = image;
	im.len = ilen;
	if (!s.enabled) {
		/* A patched kernel without pvabi's pages would crash. */
		note = "pvabi is disabled for this VM: the copy is the "
		       "original, unpatched";
		im.out = image;
		im.out_len = ilen;
	} else {
		r = pvabi_patch_image_apply(&im, &cfg, &s.patch, count_patched,
					    &k, &st);
		if (r) {
			free(image);
			if (r == PVABI_E_POLICY)
				return pvctl_error(
					PVCTL_REFUSED,
					"pvabi: refusing to start VM '%s': "
					"the host patches only a guest allowed "
					"the host-patch feature (its features: "
					"%s)",
					domain, features);
			if (r == PVABI_E_NOTFOUND)
				return pvctl_error(
					PVCTL_REFUSED,
					"pvabi: refusing to start VM '%s': "
					"its kernel %s has no executable %s "
					"section for the templates",
					domain, p.source,
					PVABI_ELF_TEMPLATE_SECTION);
			return pvctl_error(PVCTL_REFUSED,
					   "pvabi: refusing to start VM '%s': "
					   "cannot patch its kernel %s: %s",
					   domain, p.source, pvabi_strerror(r));
		}
	}
	pvctl_sha256_hex(im.out, im.out_len, sum);
	if (mkdir("/var/lib/pvabi", 0755) && errno != EEXIST)
		r = -errno;
	if (!r && mkdir(PVCTL_KERNEL_DIR, 0755) && errno != EEXIST)
		r = -errno;
	if (!r)
		r = pvctl_write_file(p.copy, im.out, im.out_len);
	if (!r)
		r = write_report(domain, &p, policy, features, src_sum, sum,
				 &st, &k, note);
	if (im.out != image)
		free(im.out);
	free(image);
	if (r)
		return pvctl_error(PVCTL_REFUSED,
				   "pvabi: refusing to start VM '%s': cannot "
				   "write its patched kernel %s",
				   domain, p.copy);
	return PVCTL_OK;
}
