// SPDX-License-Identifier: GPL-2.0-or-later
/* pvabi's ivshmem-doorbell device in a libvirt domain (libpvctl/shmem.h),
 * with the <qemu:override> that libvirt's test driver would drop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "shmem.h"

#define UUID	 "6f1d2a3c-7e0b-4c55-9a41-2b8e5f3d9c10"
#define HEX	 "6f1d2a3c7e0b4c559a412b8e5f3d9c10"
#define OURS	 "//devices/shmem[@name='pvabi-" HEX "']"
#define OVERRIDE "/domain/q:override/q:device[@alias='ua-pvabi-" HEX "']"

/* A kvm domain with 4 possible vCPUs, a user's own shmem and override. */
static const char kvm[] =
	"<domain type='kvm' "
	"xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
	"<name>web1</name><uuid>" UUID "</uuid>"
	"<vcpu current='1'>4</vcpu>"
	"<devices><shmem name='mine'><model type='ivshmem-plain'/></shmem>"
	"</devices>"
	"<qemu:override><qemu:device alias='ua-other'><qemu:frontend>"
	"<qemu:property name='x' type='string' value='y'/>"
	"</qemu:frontend></qemu:device></qemu:override>"
	"<qemu:commandline><qemu:arg value='-S'/></qemu:commandline>"
	"</domain>";

/* string(@expr) over @xml, q: being libvirt's qemu namespace. */
static char *xp(const char *xml, const char *expr)
{
	xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, 0);
	xmlXPathContext *ctx;
	xmlXPathObject *o;
	char *out;

	assert_non_null(doc);
	ctx = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(ctx, (const xmlChar *)"q",
			   (const xmlChar *)PVCTL_QEMU_NS);
	o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	assert_non_null(o);
	out = (char *)xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return out;
}

static void is(const char *xml, const char *expr, const char *want)
{
	char *got = xp(xml, expr);

	if (strcmp(got, want))
		fail_msg("%s: got '%s', want '%s'", expr, got, want);
	xmlFree(got);
}

static char *edit(const char *xml, enum pvctl_shmem_want want,
		  struct pvctl_shmem_result *res)
{
	char *out = NULL, why[256] = "";
	int r = pvctl_shmem_edit(xml, strlen(xml), NULL, want, &out, res, why,
				 sizeof(why));

	if (r)
		fail_msg("edit: %d %s", r, why);
	return out;
}

static void test_id(void **state)
{
	struct pvctl_shmem_id id;

	(void)state;
	assert_int_equal(pvctl_shmem_id(UUID, &id), 0);
	assert_string_equal(id.name, "pvabi-" HEX);
	assert_string_equal(id.alias, "ua-pvabi-" HEX);
	assert_string_equal(id.path, "/run/pvabi/" UUID ".sock");
	assert_int_equal(
		pvctl_shmem_id("6F1D2A3C-7E0B-4C55-9A41-2B8E5F3D9C10", &id), 0);
	assert_string_equal(id.name, "pvabi-" HEX);
	assert_int_equal(
		pvctl_shmem_id("6f1d2a3c7e0b4c559a412b8e5f3d9c10", &id),
		PVABI_E_INVAL);
	assert_int_equal(
		pvctl_shmem_id("6f1d2a3c-7e0b-4c55-9a41-2b8e5f3d9c1/", &id),
		PVABI_E_INVAL);
	assert_int_equal(pvctl_shmem_id(NULL, &id), PVABI_E_INVAL);
}

/* Ensure adds the device and master=auto; again, changes nothing. */
static void test_ensure_qemu(void **state)
{
	struct pvctl_shmem_result res;
	char *a, *b;

	(void)state;
	a = edit(kvm, PVCTL_SHMEM_ENSURE, &res);
	assert_true(res.device_changed);
	assert_false(res.canonical);
	assert_int_equal(res.vectors, 4);
	is(a, "count(//devices/shmem)", "2");
	is(a, "count(" OURS ")", "1");
	is(a, "string(" OURS "/model/@type)", "ivshmem-doorbell");
	is(a, "string(" OURS "/server/@path)", "/run/pvabi/" UUID ".sock");
	is(a, "string(" OURS "/msi/@vectors)", "4");
	is(a, "string(" OURS "/msi/@ioeventfd)", "on");
	is(a, "string(" OURS "/alias/@name)", "ua-pvabi-" HEX);
	is(a, "count(" OVERRIDE ")", "1");
	is(a,
	   "concat(" OVERRIDE "/q:frontend/q:property/@name, '=', " OVERRIDE
	   "/q:frontend/q:property/@type, ':', " OVERRIDE
	   "/q:frontend/q:property/@value)",
	   "master=string:auto");
	is(a, "count(/domain/q:override/q:device[@alias='ua-other'])", "1");
	is(a, "count(/domain/q:commandline/q:arg)", "1");

	b = edit(a, PVCTL_SHMEM_ENSURE, &res);
	assert_false(res.device_changed);
	assert_true(res.canonical);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* A test-driver domain gets no override (the driver would drop it). */
static void test_ensure_other_driver(void **state)
{
	static const char test[] =
		"<domain type='test'><uuid>" UUID "</uuid></domain>";
	struct pvctl_shmem_result res;
	char *a;

	(void)state;
	a = edit(test, PVCTL_SHMEM_ENSURE, &res);
	is(a, "count(" OURS ")", "1");
	is(a, "string(" OURS "/msi/@vectors)", "1");
	is(a, "count(//*[local-name()='override'])", "0");
	free(a);
}

/* A hand-edited override of ours is rewritten, a hand-edited device in
 * place, its PCI address kept. */
static void test_repair(void **state)
{
	static const char edited[] =
		"<domain type='qemu' "
		"xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
		"<uuid>" UUID "</uuid><vcpu>2</vcpu><devices>"
		"<disk/><shmem name='pvabi-" HEX "' role='master'>"
		"<model type='ivshmem-doorbell'/><server path='/tmp/x.sock'/>"
		"<msi vectors='2' ioeventfd='on'/><alias name='ua-pvabi-" HEX
		"'/><address type='pci' slot='0x07'/></shmem><serial/>"
		"</devices><qemu:override><qemu:device alias='ua-pvabi-" HEX
		"'><qemu:frontend><qemu:property name='master' type='bool' "
		"value='true'/></qemu:frontend></qemu:device></qemu:override>"
		"</domain>";
	struct pvctl_shmem_result res;
	char *a;

	(void)state;
	a = edit(edited, PVCTL_SHMEM_ENSURE, &res);
	assert_true(res.repaired);
	assert_true(res.device_changed);
	is(a, "string(" OURS "/server/@path)", "/run/pvabi/" UUID ".sock");
	is(a, "string(" OURS "/@role)", "master");
	is(a, "string(" OURS "/address/@slot)", "0x07");
	/* Where it was, between the disk and the serial port. */
	is(a, "name(" OURS "/preceding-sibling::*[1])", "disk");
	is(a, "name(" OURS "/following-sibling::*[1])", "serial");
	is(a, "string(" OVERRIDE "/q:frontend/q:property/@type)", "string");
	is(a, "count(//q:device)", "1");
	free(a);
}

/* Remove takes out exactly ours: the device and our override, and an
 * override element left empty; the user's stay. */
static void test_remove(void **state)
{
	struct pvctl_shmem_result res;
	char *a, *b, *c;

	(void)state;
	a = edit(kvm, PVCTL_SHMEM_ENSURE, &res);
	b = edit(a, PVCTL_SHMEM_REMOVE, &res);
	assert_true(res.device_changed);
	is(b, "count(" OURS ")", "0");
	is(b, "count(" OVERRIDE ")", "0");
	is(b, "count(//devices/shmem[@name='mine'])", "1");
	is(b, "count(/domain/q:override/q:device[@alias='ua-other'])", "1");
	c = edit(b, PVCTL_SHMEM_REMOVE, &res);
	assert_false(res.device_changed);
	assert_string_equal(b, c);
	free(c);
	free(b);

	/* With no override of the user's, the emptied element goes too. */
	b = edit(a, PVCTL_SHMEM_LEAVE, &res);
	assert_true(res.canonical);
	free(b);
	free(a);
	a = edit("<domain type='kvm'><uuid>" UUID "</uuid></domain>",
		 PVCTL_SHMEM_ENSURE, &res);
	is(a, "count(/domain/q:override)", "1");
	b = edit(a, PVCTL_SHMEM_REMOVE, &res);
	is(b, "count(/domain/q:override)", "0");
	free(b);
	free(a);
}

/* Another shmem on our socket, or ours twice: ensure refuses (nothing
 * out), remove takes ours and leaves the other. */
static void test_conflicts(void **state)
{
	static const char squat[] =
		"<domain type='test'><uuid>" UUID "</uuid><devices>"
		"<shmem name='renamed'><server path='/run/pvabi/" UUID
		".sock'/></shmem></devices></domain>";
	static const char twice[] =
		"<domain type='test'><uuid>" UUID "</uuid><devices>"
		"<shmem name='pvabi-" HEX "'/><shmem name='pvabi-" HEX
		"'/></devices></domain>";
	struct pvctl_shmem_result res;
	char why[256], *out = NULL;

	(void)state;
	assert_int_equal(pvctl_shmem_edit(squat, strlen(squat), NULL,
					  PVCTL_SHMEM_ENSURE, &out, &res, why,
					  sizeof(why)),
			 PVABI_E_POLICY);
	assert_null(out);
	assert_non_null(strstr(why, "'renamed' also uses pvabi's socket"));
	out = edit(squat, PVCTL_SHMEM_REMOVE, &res);
	assert_int_equal(res.squatters, 1);
	assert_string_equal(res.squatter, "renamed");
	is(out, "count(//shmem)", "1");
	free(out);
	out = NULL;

	assert_int_equal(pvctl_shmem_edit(twice, strlen(twice), NULL,
					  PVCTL_SHMEM_ENSURE, &out, &res, why,
					  sizeof(why)),
			 PVABI_E_POLICY);
	assert_non_null(strstr(why, "appears 2 times"));
	out = edit(twice, PVCTL_SHMEM_REMOVE, &res);
	is(out, "count(//shmem)", "0");
	free(out);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"<domain><name>x</name></domain>",
		"<domain><uuid>not-a-uuid</uuid></domain>",
		"<pvabi/>",
		"<domain",
		"<!DOCTYPE domain [<!ENTITY e 'x'>]><domain><uuid>" UUID
		"</uuid></domain>",
	};
	struct pvctl_shmem_result res;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pvctl_shmem_edit(bad[i], strlen(bad[i]), NULL,
						  PVCTL_SHMEM_ENSURE, NULL,
						  &res, why, sizeof(why)),
				 PVABI_E_MALFORMED);
}

static void test_device_xml(void **state)
{
	struct pvctl_shmem_id id;
	char *x;

	(void)state;
	assert_int_equal(pvctl_shmem_id(UUID, &id), 0);
	x = pvctl_shmem_device_xml(&id, 8);
	assert_string_equal(
		x, "<shmem name=\"pvabi-" HEX "\" role=\"master\"><model "
		   "type=\"ivshmem-"
		   "doorbell\"/><server path=\"/run/pvabi/" UUID ".sock\"/>"
		   "<msi vectors=\"8\" ioeventfd=\"on\"/><alias "
		   "name=\"ua-pvabi-" HEX "\"/></shmem>");
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_ensure_qemu),
		cmocka_unit_test(test_ensure_other_driver),
		cmocka_unit_test(test_repair),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_device_xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
