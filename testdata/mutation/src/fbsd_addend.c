/*
 * A FreeBSD module whose metadata points into the middle of global objects: in the i386 ET_DYN image such a
 * pointer is an R_386_32 against the (preemptible) global symbol with the offset as its implicit addend, not an
 * R_386_RELATIVE. Reading the version as 7, the dependency as "fbsd_dep" 1..3 and the module name as "fbsd_addend"
 * needs every one of those addends.
 */
#include "../../freebsd/src/fbsd_kmod.h"

static int addend_handler(module_t mod, int what, void *arg) { (void)mod; (void)what; (void)arg; return 0; }

/* Globals, so the linker keeps a symbol for each and relocates pointers to them through it. */
struct mod_version addend_versions[2] = { { 3 }, { 7 } };
struct mod_depend addend_depends[2] = { { 9, 9, 9 }, { 1, 2, 3 } };
const char addend_names[] = "xxfbsd_addend\0yyfbsd_dep";
moduledata_t addend_moddata[2] = { { "wrong", NULL, NULL }, { addend_names + 2, addend_handler, NULL } };

MODULE_METADATA(_addend_module, MDT_MODULE, &addend_moddata[1], addend_names + 2);
MODULE_METADATA(_addend_version, MDT_VERSION, &addend_versions[1], addend_names + 2);
MODULE_METADATA(_addend_depend, MDT_DEPEND, &addend_depends[1], addend_names + 16);
