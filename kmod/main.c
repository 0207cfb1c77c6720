// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvabi.ko: the host side of the pvabi paravirtualisation ABI.
 *
 * /dev/pvabi creates VM and vCPU contexts (see uapi/linux/pvabi.h); the
 * generic netlink family "pvabi" lets the control plane see and steer them.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <net/genetlink.h>

#include "pvabi_mod.h"

static long dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct pvabi_create_vm __user *ureq = (void __user *)arg;
	struct pvabi_create_vm req;

	switch (cmd) {
	case PVABI_GET_API_VERSION:
		return arg ? -EINVAL : PVABI_API_VERSION;
	case PVABI_CREATE_VM:
		if (copy_from_user(&req, ureq, sizeof(req)))
			return -EFAULT;
		return pvabi_vm_create(&req, ureq);
	case PVABI_OPEN_VM:
		return pvabi_vm_open((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice pvabi_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pvabi",
	.fops = &dev_fops,
	.mode = 0600,
};

static int __init pvabi_init(void)
{
	int ret = pvabi_region_init();

	if (ret)
		return ret;
	ret = pvabi_genl_init();
	if (ret)
		goto err_region;
	ret = misc_register(&pvabi_dev);
	if (ret)
		goto err_genl;
	return 0;

err_genl:
	pvabi_genl_exit();
err_region:
	pvabi_region_exit();
	return ret;
}

static void __exit pvabi_exit(void)
{
	misc_deregister(&pvabi_dev);
	pvabi_genl_exit();
	pvabi_vms_exit();
	pvabi_region_exit();
}

module_init(pvabi_init);
module_exit(pvabi_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pvabi paravirtualisation ABI: trap and delivery path");
MODULE_ALIAS_GENL_FAMILY(PVABI_GENL_NAME);
