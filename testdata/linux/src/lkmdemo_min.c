// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lkmdemo_min - LkmKit test fixture: minimal module.  No parameters, no
 * exports, module_init only (no module_exit, so the module cannot be
 * unloaded and struct module has no cleanup_module relocation).
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

static int __init lkmdemo_min_init(void)
{
	pr_info("lkmdemo_min: loaded\n");
	return 0;
}
module_init(lkmdemo_min_init);

MODULE_LICENSE("Dual MIT/GPL");
