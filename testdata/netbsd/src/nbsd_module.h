/*
 * Minimal re-statement of the NetBSD kernel-module ABI used by the LkmKit fixtures
 * (modinfo_t and MODULE() as in sys/sys/module.h, link sets as in sys/sys/cdefs_elf.h;
 * written for these tests).
 */
#ifndef NBSD_MODULE_H
#define NBSD_MODULE_H

#define NULL ((void *)0)

#ifndef __NetBSD_Version__
#define __NetBSD_Version__ 1000000000	/* 10.0 */
#endif

typedef enum modclass {
	MODULE_CLASS_ANY,
	MODULE_CLASS_MISC,
	MODULE_CLASS_VFS,
	MODULE_CLASS_DRIVER,
	MODULE_CLASS_EXEC,
	MODULE_CLASS_SECMODEL,
	MODULE_CLASS_BUFQ,
	MODULE_CLASS_MAX
} modclass_t;

typedef enum modcmd {
	MODULE_CMD_INIT,
	MODULE_CMD_FINI,
	MODULE_CMD_STAT,
	MODULE_CMD_AUTOUNLOAD,
} modcmd_t;

typedef struct modinfo {
	const unsigned int mi_version;
	modclass_t         mi_class;
	int              (*mi_modcmd)(modcmd_t, void *);
	const char        *mi_name;
	const char        *mi_required;
} const modinfo_t;

#define __STRING(x) #x
#define __CONCAT1(x, y) x ## y
#define __CONCAT(x, y) __CONCAT1(x, y)

#define __link_set_make_entry(set, sym)					\
	static void const * const __link_set_##set##_sym_##sym		\
	__attribute__((__section__("link_set_" #set), __used__)) = (const void *)&sym
#define __link_set_add_rodata(set, sym) __link_set_make_entry(set, sym)

#define __KERNEL_RCSID(n, s)						\
	__asm__(".pushsection .ident,\"MS\",@progbits,1\n"		\
	    ".asciz \"" s "\"\n.popsection")

#define MODULE(class, name, required)					\
static int __CONCAT(name,_modcmd)(modcmd_t, void *);			\
static modinfo_t __CONCAT(name,_modinfo) = {				\
	.mi_version = __NetBSD_Version__,				\
	.mi_class = (class),						\
	.mi_modcmd = __CONCAT(name,_modcmd),				\
	.mi_name = __STRING(name),					\
	.mi_required = (required)					\
};									\
__link_set_add_rodata(modules, __CONCAT(name,_modinfo))

#endif
