// SPDX-License-Identifier: GPL-2.0
/*
 * lkmdemo_core - LkmKit test fixture (NOT a useful driver).
 *
 * Declares module parameters of several kinds, the usual MODULE_* metadata
 * and exports symbols through every 6.1 export flavour, so that a reader of
 * .ko files can be checked against known values.  See ../README.md for the
 * list of expected values.  Rebuild with scripts/build-linux-fixtures.sh.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/dma-buf.h>

/* ---- parameters ------------------------------------------------------- */

static int debug_level = 1;
module_param(debug_level, int, 0644);
MODULE_PARM_DESC(debug_level, "Debug verbosity (0-3)");

static char *label = "lkmdemo";
module_param(label, charp, 0444);
MODULE_PARM_DESC(label, "Label printed at load time");

static bool enable_feature;
module_param(enable_feature, bool, 0644);
MODULE_PARM_DESC(enable_feature, "Enable the optional feature");

static int ports[4] = { 1, 2, 3, 4 };
static int nports;
module_param_array(ports, int, &nports, 0444);
MODULE_PARM_DESC(ports, "Up to four port numbers");

/* No MODULE_PARM_DESC on purpose, and not visible in sysfs (perm 0). */
static unsigned int quiet_mask;
module_param(quiet_mask, uint, 0);

/* Parameter name differs from the C variable name. */
static unsigned long internal_buffer_size = 4096;
module_param_named(buffer_size, internal_buffer_size, ulong, 0444);
MODULE_PARM_DESC(buffer_size, "Buffer size in bytes");

/* Sets KERNEL_PARAM_FL_UNSAFE (flags = 1) in its __param entry. */
static int unsafe_knob;
module_param_unsafe(unsafe_knob, int, 0600);
MODULE_PARM_DESC(unsafe_knob, "Dangerous knob (taints the kernel when set)");

/* ---- exports ---------------------------------------------------------- */

int lkmdemo_add(int a, int b)
{
	return a + b;
}
EXPORT_SYMBOL(lkmdemo_add);

int lkmdemo_counter = 42;
EXPORT_SYMBOL(lkmdemo_counter);

int lkmdemo_gpl_only(void)
{
	return debug_level + (int)internal_buffer_size;
}
EXPORT_SYMBOL_GPL(lkmdemo_gpl_only);

int lkmdemo_ns_func(int x)
{
	return x * 2 + lkmdemo_counter;
}
EXPORT_SYMBOL_NS_GPL(lkmdemo_ns_func, LKMDEMO);

const char lkmdemo_ns_data[] = "lkmdemo namespaced data";
EXPORT_SYMBOL_NS(lkmdemo_ns_data, LKMDEMO);

/* ---- import from a kernel symbol namespace (DMA_BUF) ------------------ */

static void (*lkmdemo_put_fn)(struct dma_buf *) __used = dma_buf_put;

/* ---- init / exit ------------------------------------------------------ */

static int __init lkmdemo_core_init(void)
{
	int i;

	pr_info("lkmdemo_core: %s debug=%d feature=%d buffer=%lu quiet=%#x unsafe=%d\n",
		label, debug_level, enable_feature, internal_buffer_size,
		quiet_mask, unsafe_knob);
	for (i = 0; i < nports; i++)
		pr_info("lkmdemo_core: port[%d]=%d\n", i, ports[i]);
	return 0;
}

static void __exit lkmdemo_core_exit(void)
{
	pr_info("lkmdemo_core: bye (%p)\n", lkmdemo_put_fn);
}

module_init(lkmdemo_core_init);
module_exit(lkmdemo_core_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("LkmKit Fixture Author One <one@example.invalid>");
MODULE_AUTHOR("LkmKit Fixture Author Two <two@example.invalid>");
MODULE_DESCRIPTION("LkmKit demo module: parameters, exports and metadata");
MODULE_VERSION("1.2.3");
MODULE_ALIAS("lkmdemo-alias");
MODULE_ALIAS("char-major-240-*");
MODULE_FIRMWARE("lkmdemo/lkmdemo-fw-1.bin");
MODULE_SOFTDEP("pre: crc32c");
MODULE_IMPORT_NS(DMA_BUF);
