/* LkmKit FreeBSD fixture: a module depending on demo_core (from fbsd_demo.ko) with a version range. */
#include "fbsd_kmod.h"

extern int demo_core_api(int);
extern int demo_core_counter;

static int demo_user_handler(module_t mod, int what, void *arg)
{
	(void)mod; (void)arg;
	if (what == MOD_LOAD)
		demo_core_counter++;
	return demo_core_api(what);
}

static moduledata_t demo_user_mod = { "demo_user", demo_user_handler, NULL };

DECLARE_MODULE(demo_user, demo_user_mod, SI_SUB_DRIVERS, SI_ORDER_ANY);
MODULE_VERSION(demo_user, 2);
MODULE_DEPEND(demo_user, demo_core, 2, 3, 4);
