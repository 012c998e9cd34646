/* LkmKit NetBSD fixture: a secmodel module whose mi_required is "" (relocated pointer to an empty string). */
#include "nbsd_module.h"

MODULE(MODULE_CLASS_SECMODEL, nbsd_secdemo, "");

static int nbsd_secdemo_modcmd(modcmd_t cmd, void *arg)
{
	(void)arg;
	return cmd == MODULE_CMD_INIT || cmd == MODULE_CMD_FINI ? 0 : 25;
}
