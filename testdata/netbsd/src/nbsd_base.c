/* LkmKit NetBSD fixture: a misc module with no dependencies (mi_required NULL) that exports a function. */
#include "nbsd_module.h"

__KERNEL_RCSID(0, "$NetBSD: nbsd_base.c,v 1.4 2024/05/01 12:00:00 lkmkit Exp $");

extern int printf(const char *, ...);

static const char banner[] = "nbsd_base: a string in .rodata before modinfo";
int nbsd_base_calls;

int nbsd_base_hello(int x)
{
	nbsd_base_calls++;
	return x * 2;
}

MODULE(MODULE_CLASS_MISC, nbsd_base, NULL);

static int nbsd_base_modcmd(modcmd_t cmd, void *arg)
{
	(void)arg;
	switch (cmd) {
	case MODULE_CMD_INIT:
		printf("%s\n", banner);
		return 0;
	case MODULE_CMD_FINI:
		return 0;
	default:
		return 25; /* ENOTTY */
	}
}
