/* LkmKit linker fixture: a FreeBSD i386 module built with -fPIC that calls a kernel function through the PLT, so the
 * image has an R_386_JUMP_SLOT in .rel.plt: FreeBSD's i386 loader ("kldload: unexpected relocation type 7") refuses it. */
#include "fbsd_kmod.h"

extern int printf(const char *, ...);

static int plt_handler(module_t mod, int what, void *arg)
{
	(void)mod; (void)arg;
	return what == MOD_LOAD ? printf("plt loaded\n") : 0;
}

static moduledata_t plt_mod = { "plt_demo", plt_handler, NULL };
DECLARE_MODULE(plt_demo, plt_mod, SI_SUB_DRIVERS, SI_ORDER_ANY);
MODULE_VERSION(plt_demo, 1);
