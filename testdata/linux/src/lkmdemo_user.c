// SPDX-License-Identifier: GPL-2.0
/*
 * lkmdemo_user - LkmKit test fixture: consumer of lkmdemo_core's exports,
 * so modpost records depends=lkmdemo_core and CRCs of those symbols in
 * __versions.  Also carries a PCI device table so modpost generates an
 * alias= entry (file2alias).
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/pci.h>

extern int lkmdemo_add(int a, int b);
extern int lkmdemo_counter;
extern int lkmdemo_gpl_only(void);
extern int lkmdemo_ns_func(int x);
extern const char lkmdemo_ns_data[];

static const struct pci_device_id lkmdemo_user_ids[] = {
	{ PCI_DEVICE(0x1234, 0x5678) },
	{ }
};
MODULE_DEVICE_TABLE(pci, lkmdemo_user_ids);

static int __init lkmdemo_user_init(void)
{
	pr_info("lkmdemo_user: %d %d %d %d %s (%zu ids)\n",
		lkmdemo_add(2, 3), lkmdemo_counter, lkmdemo_gpl_only(),
		lkmdemo_ns_func(7), lkmdemo_ns_data,
		ARRAY_SIZE(lkmdemo_user_ids) - 1);
	return 0;
}

static void __exit lkmdemo_user_exit(void)
{
	lkmdemo_counter--;
}

module_init(lkmdemo_user_init);
module_exit(lkmdemo_user_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("LkmKit demo module: imports lkmdemo_core symbols");
MODULE_IMPORT_NS(LKMDEMO);
