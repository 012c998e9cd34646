/* LkmKit demo plug-in kext: a second kmod_info whose compiled name and version differ from its Info.plist,
 * as in many real kexts (the kernel takes the Info.plist values). */
#include "kmod.h"

static kern_return_t plugin_start(kmod_info_t *ki, void *d) { IOLog("plugin start\n"); return 0; }
static kern_return_t plugin_stop(kmod_info_t *ki, void *d) { return 0; }

KMOD_EXPLICIT_DECL(com.example.lkmkit.plugin.compiled, "1.0.0d1", plugin_start, plugin_stop)
