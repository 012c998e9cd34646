/* LkmKit FreeBSD fixture: one file declaring two modules, versions, a kernel dependency and a PnP table. */
#include "fbsd_kmod.h"

extern int printf(const char *, ...);
extern void *malloc(unsigned long, void *, int);

int demo_core_counter;

int demo_core_api(int x)
{
	return x + demo_core_counter;
}

static int demo_core_handler(module_t mod, int what, void *arg)
{
	(void)mod; (void)arg;
	if (what == MOD_LOAD)
		printf("demo_core loaded\n");
	return 0;
}

static int demo_extra_handler(module_t mod, int what, void *arg)
{
	(void)mod; (void)arg;
	return what == MOD_UNLOAD ? 0 : demo_core_api(what);
}

static moduledata_t demo_core_mod = { "demo_core", demo_core_handler, NULL };
static moduledata_t demo_extra_mod = { "demo_extra", demo_extra_handler, NULL };

struct demo_pci_id {
	unsigned short vendor;
	unsigned short device;
	unsigned int   subsys;
	const char    *desc;
};

static const struct demo_pci_id demo_pci_ids[] = {
	{ 0x8086, 0x100e, 0xffffffff, "Demo Gigabit Adapter" },
	{ 0x8086, 0x10d3, 0x00011028, "Demo 82574L" },
	{ 0x1af4, 0x1000, 0xffffffff, NULL },
};

DECLARE_MODULE(demo_core, demo_core_mod, SI_SUB_DRIVERS, SI_ORDER_MIDDLE);
MODULE_VERSION(demo_core, 3);
DECLARE_MODULE(demo_extra, demo_extra_mod, SI_SUB_DRIVERS, SI_ORDER_ANY);
MODULE_VERSION(demo_extra, 1);
MODULE_DEPEND(demo_extra, demo_core, 3, 3, 3);
MODULE_PNP_INFO("U16:vendor;U16:device;V32:subvendor;D:#", pci, demo, demo_pci_ids,
    sizeof(demo_pci_ids) / sizeof(demo_pci_ids[0]));
