// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvctl_genl_parse_vm(): GET_VMS replies built as pvabi.ko builds them, and
 * broken ones it must refuse (the fuzz harness tests/fuzz/fuzz-genl-vm.c
 * goes further).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "genl_client.h"
#include "pvabi/negotiate.h"

static struct pvctl_genl_vm vm;

static struct nl_msg *reply(uint32_t id)
{
	struct nl_msg *m = nlmsg_alloc_size(65536);

	assert_non_null(genlmsg_put(m, 0, 1, 0x20, 0, NLM_F_MULTI,
				    PVABI_CMD_GET_VMS, PVABI_GENL_VERSION));
	if (id)
		assert_int_equal(nla_put_u32(m, PVABI_A_VM_ID, id), 0);
	return m;
}

static void put_vcpu(struct nl_msg *m, uint32_t index, int stat_len)
{
	struct nlattr *v = nla_nest_start(m, 0), *st;
	uint64_t x;

	nla_put_u32(m, PVABI_VCPU_A_INDEX, index);
	nla_put_u32(m, PVABI_VCPU_A_VERSION, PVABI_VERSION_PACKED(1, 0));
	nla_put_u64(m, PVABI_VCPU_A_FEATURES, PVABI_F_NOTIFY);
	st = nla_nest_start(m, PVABI_VCPU_A_STATS);
	for (int i = 1; i <= PVABI_STAT_A_MAX; i++) {
		x = index * 100 + i;
		nla_put(m, i, stat_len, &x);
	}
	nla_nest_end(m, st);
	nla_nest_end(m, v);
}

static int parse(struct nl_msg *m, size_t cut)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	int err = pvctl_genl_parse_vm(nlh, nlh->nlmsg_len - cut, &vm);

	nlmsg_free(m);
	return err;
}

static void test_full(void **state)
{
	struct nl_msg *m = reply(7);
	struct nlattr *pol, *vcpus;
	uint8_t uuid[PVABI_UUID_LEN];

	for (int i = 0; i < PVABI_UUID_LEN; i++)
		uuid[i] = i;
	nla_put_string(m, PVABI_A_VM_NAME, "guest-one");
	nla_put(m, PVABI_A_VM_UUID, sizeof(uuid), uuid);
	pol = nla_nest_start(m, PVABI_A_VM_POLICY);
	nla_put_u32(m, PVABI_POLICY_A_MIN_VERSION, PVABI_VERSION_PACKED(1, 0));
	nla_put_u32(m, PVABI_POLICY_A_MAX_VERSION, PVABI_VERSION_PACKED(1, 2));
	nla_put_u64(m, PVABI_POLICY_A_FEATURES, 0x3f);
	nla_put_u32(m, PVABI_POLICY_A_PATCH_MODE, PVABI_NL_PATCH_HOST);
	nla_put_u32(m, PVABI_POLICY_A_DEFER_US, 2500);
	nla_nest_end(m, pol);
	vcpus = nla_nest_start(m, PVABI_A_VM_VCPUS);
	put_vcpu(m, 0, 8);
	put_vcpu(m, 5, 8);
	nla_nest_end(m, vcpus);

	memset(&vm, 0, sizeof(vm));
	assert_int_equal(parse(m, 0), 0);
	assert_int_equal(vm.id, 7);
	assert_string_equal(vm.name, "guest-one");
	assert_true(vm.has_uuid);
	assert_memory_equal(vm.uuid, uuid, sizeof(uuid));
	assert_int_equal(vm.policy.max_version, PVABI_VERSION_PACKED(1, 2));
	assert_int_equal(vm.policy.patch_mode, PVABI_NL_PATCH_HOST);
	assert_int_equal(vm.policy.defer_us, 2500);
	assert_int_equal(vm.n_vcpus, 2);
	assert_int_equal(vm.vcpus[1].index, 5);
	assert_int_equal(vm.vcpus[1].features, PVABI_F_NOTIFY);
	/* Stats attributes follow struct pvabi_vcpu_stats in order. */
	assert_int_equal(vm.vcpus[1].stats.injected, 501);
	assert_int_equal(vm.vcpus[1].stats.pending, 500 + PVABI_STAT_A_MAX);
}

static void test_continuation_appends(void **state)
{
	struct nl_msg *m = reply(7);
	struct nlattr *vcpus = nla_nest_start(m, PVABI_A_VM_VCPUS);

	put_vcpu(m, 9, 8);
	nla_nest_end(m, vcpus);
	memset(&vm, 0, sizeof(vm));
	vm.n_vcpus = 2;
	assert_int_equal(parse(m, 0), 0);
	assert_int_equal(vm.n_vcpus, 3);
	assert_int_equal(vm.vcpus[2].index, 9);
}

static void test_refused(void **state)
{
	struct nl_msg *m;
	struct nlattr *n;
	char long_name[PVABI_VM_NAME_MAX + 1];

	memset(&vm, 0, sizeof(vm));
	assert_int_equal(parse(reply(0), 0), -EINVAL); /* no VM id */

	m = reply(1);
	n = nla_nest_start(m, PVABI_A_VM_VCPUS);
	put_vcpu(m, PVABI_MAX_VCPUS, 8);
	nla_nest_end(m, n);
	assert_int_equal(parse(m, 0), -EINVAL); /* vCPU index out of range */

	m = reply(1);
	n = nla_nest_start(m, PVABI_A_VM_VCPUS);
	put_vcpu(m, 1, 4);
	nla_nest_end(m, n);
	assert_int_equal(parse(m, 0), -EINVAL); /* a 4-byte counter */

	memset(&vm, 0, sizeof(vm));
	vm.n_vcpus = PVABI_MAX_VCPUS;
	m = reply(1);
	n = nla_nest_start(m, PVABI_A_VM_VCPUS);
	put_vcpu(m, 1, 8);
	nla_nest_end(m, n);
	assert_int_equal(parse(m, 0), -EINVAL); /* one vCPU too many */
	assert_int_equal(vm.n_vcpus, PVABI_MAX_VCPUS);

	memset(&vm, 0, sizeof(vm));
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	m = reply(1);
	nla_put_string(m, PVABI_A_VM_NAME, long_name);
	assert_int_equal(parse(m, 0), -EINVAL); /* name too long */

	m = reply(1);
	nla_put_u32(m, PVABI_A_VM_NAME, 0x41414141);
	assert_int_equal(parse(m, 0), -EINVAL); /* name without its NUL */

	m = reply(1);
	nla_put(m, PVABI_A_VM_NAME, 0, NULL);
	assert_int_equal(parse(m, 0), -EINVAL); /* an empty name */

	m = reply(1);
	nla_put_string(m, PVABI_A_VM_NAME, "x");
	assert_int_equal(parse(m, 4), -EINVAL); /* shorter than it says */
	m = reply(1);
	nla_put(m, PVABI_A_VM_UUID, 4, "abcd");
	assert_int_equal(parse(m, 0), -EINVAL); /* a 4-byte UUID */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_continuation_appends),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
