#include <linux/module.h>
#define INCLUDE_VERMAGIC
#include <linux/build-salt.h>
#include <linux/elfnote-lto.h>
#include <linux/export-internal.h>
#include <linux/vermagic.h>
#include <linux/compiler.h>

BUILD_SALT;
BUILD_LTO_INFO;

MODULE_INFO(vermagic, VERMAGIC_STRING);
MODULE_INFO(name, KBUILD_MODNAME);

__visible struct module __this_module
__section(".gnu.linkonce.this_module") = {
	.name = KBUILD_MODNAME,
	.init = init_module,
#ifdef CONFIG_MODULE_UNLOAD
	.exit = cleanup_module,
#endif
	.arch = MODULE_ARCH_INIT,
};

#ifdef CONFIG_RETPOLINE
MODULE_INFO(retpoline, "Y");
#endif


static const struct modversion_info ____versions[]
__used __section("__versions") = {
	{ 0xd6f2e701, "anon_inode_getfile" },
	{ 0xd1f7903d, "vmf_insert_pfn" },
	{ 0x47978cc, "misc_deregister" },
	{ 0x20978fb9, "idr_find" },
	{ 0x13c49cc2, "_copy_from_user" },
	{ 0x941f2aaa, "eventfd_ctx_put" },
	{ 0xc5b6f236, "queue_work_on" },
	{ 0x2155f701, "hrtimer_try_to_cancel" },
	{ 0x9b489671, "nla_put_64bit" },
	{ 0xabe67060, "get_pid_task" },
	{ 0x86fd1fa5, "__put_task_struct" },
	{ 0x99f7371c, "refcount_dec_and_mutex_lock" },
	{ 0xea82d349, "hrtimer_init" },
	{ 0x6b4727c, "send_sig_info" },
	{ 0x3b3d8b33, "fd_install" },
	{ 0xffcbde5b, "genlmsg_put" },
	{ 0x7a8fa66b, "unmap_mapping_range" },
	{ 0x37a0cba, "kfree" },
	{ 0xcbd4898c, "fortify_panic" },
	{ 0xbdfb6dbb, "__fentry__" },
	{ 0x3f4547a7, "put_unused_fd" },
	{ 0xe6d2458e, "do_trace_netlink_extack" },
	{ 0xa19b956, "__stack_chk_fail" },
	{ 0x296695f, "refcount_warn_saturate" },
	{ 0xf0906b73, "netlink_broadcast" },
	{ 0xa916b694, "strnlen" },
	{ 0x1eb9ab54, "__alloc_skb" },
	{ 0xb2fd5ceb, "__put_user_4" },
	{ 0xc57c48a3, "idr_get_next" },
	{ 0x7d173e99, "__free_pages" },
	{ 0x7cd8d75e, "page_offset_base" },
	{ 0x3ef022ec, "compat_ptr_ioctl" },
	{ 0x7665a95b, "idr_remove" },
	{ 0x8a90a2a, "anon_inode_getfd_secure" },
	{ 0xa1194a8a, "fput" },
	{ 0xe25beddd, "init_net" },
	{ 0x8df92f66, "memchr_inv" },
	{ 0x505f95b0, "noop_llseek" },
	{ 0xed89811, "kfree_skb_reason" },
	{ 0x4dfa8d4b, "mutex_lock" },
	{ 0x1468be11, "nla_put" },
	{ 0xd67364f7, "eventfd_ctx_fdget" },
	{ 0xcefb0c9f, "__mutex_init" },
	{ 0x68fb37ae, "current_task" },
	{ 0x91f44510, "idr_alloc_cyclic" },
	{ 0x11089ac7, "_ctype" },
	{ 0x8e17b3ae, "idr_destroy" },
	{ 0xc0b7c197, "hrtimer_start_range_ns" },
	{ 0x844c8938, "misc_register" },
	{ 0x5b8239ca, "__x86_return_thunk" },
	{ 0xf1db1704, "nla_memcpy" },
	{ 0x6b10bee1, "_copy_to_user" },
	{ 0xe2d5255a, "strcmp" },
	{ 0x77c2be96, "skb_trim" },
	{ 0x97651e6c, "vmemmap_base" },
	{ 0x3213f038, "mutex_unlock" },
	{ 0xa843805a, "get_unused_fd_flags" },
	{ 0x11dd3e1e, "alloc_pages" },
	{ 0xb43f9365, "ktime_get" },
	{ 0x3c12dfe, "cancel_work_sync" },
	{ 0x102fe6de, "hrtimer_cancel" },
	{ 0x362f9a8, "__x86_indirect_thunk_r12" },
	{ 0xab93a5c2, "genl_unregister_family" },
	{ 0x606e9d01, "kmalloc_trace" },
	{ 0xdf0f75c6, "eventfd_signal" },
	{ 0x581e2394, "__nla_parse" },
	{ 0x4a932161, "get_task_pid" },
	{ 0x9ec07055, "genl_register_family" },
	{ 0xe784202e, "netlink_has_listeners" },
	{ 0xf8a1b589, "put_pid" },
	{ 0x7a7caba8, "kmalloc_caches" },
	{ 0x2d3385d3, "system_wq" },
	{ 0x9060323f, "module_layout" },
};

MODULE_INFO(depends, "");

