/* LkmKit linker fixture: a FreeBSD i386 module built with -fPIC, so that it reaches the kernel's data and functions
 * through GOT entries (R_386_GLOB_DAT in .rel.dyn) and its own data through RELATIVE ones; it calls nothing directly,
 * so it has no PLT (no R_386_JUMP_SLOT, which FreeBSD's i386 loader refuses). */
#include "fbsd_kmod.h"

extern int printf(const char *, ...);
extern int ticks;
extern int optional_hook __attribute__((weak));

int got_counter;
int (*got_printf)(const char *, ...);

static int got_handler(module_t mod, int what, void *arg)
{
	(void)mod; (void)arg;
	got_printf = printf;                       /* GLOB_DAT printf (address of a kernel function) */
	got_counter += ticks + (&optional_hook != 0); /* GLOB_DAT ticks, optional_hook (weak, unresolved: 0), got_counter */
	return what;
}

static moduledata_t got_mod = { "got_demo", got_handler, NULL };
DECLARE_MODULE(got_demo, got_mod, SI_SUB_DRIVERS, SI_ORDER_ANY);
MODULE_VERSION(got_demo, 1);
