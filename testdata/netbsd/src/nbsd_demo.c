/* LkmKit NetBSD fixture: a driver module requiring two modules, with a .prop file next to it. */
#include "nbsd_module.h"

__KERNEL_RCSID(0, "$NetBSD: nbsd_demo.c,v 1.12 2024/06/02 08:30:00 lkmkit Exp $");

extern int printf(const char *, ...);
extern int nbsd_base_hello(int);
extern void *prop_dictionary_get(void *, const char *);

static int nbsd_demo_attached;

MODULE(MODULE_CLASS_DRIVER, nbsd_demo, "nbsd_base,pci");

static int nbsd_demo_modcmd(modcmd_t cmd, void *arg)
{
	switch (cmd) {
	case MODULE_CMD_INIT:
		if (arg != NULL && prop_dictionary_get(arg, "verbose") != NULL)
			printf("nbsd_demo: verbose\n");
		nbsd_demo_attached = nbsd_base_hello(1);
		return 0;
	case MODULE_CMD_FINI:
		nbsd_demo_attached = 0;
		return 0;
	default:
		return 25;
	}
}
