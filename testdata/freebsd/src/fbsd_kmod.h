/*
 * Minimal re-statement of the FreeBSD kernel-module ABI used by the LkmKit fixtures
 * (layouts as in sys/sys/module.h and sys/sys/linker_set.h; written for these tests).
 */
#ifndef FBSD_KMOD_H
#define FBSD_KMOD_H

#define NULL ((void *)0)

#define MDT_DEPEND   1
#define MDT_MODULE   2
#define MDT_VERSION  3
#define MDT_PNP_INFO 4
#define MDT_STRUCT_VERSION 1

#define MOD_LOAD     0
#define MOD_UNLOAD   1
#define MOD_SHUTDOWN 2
#define MOD_QUIESCE  3

/* The FreeBSD version these fixtures claim to be built for (14.2-RELEASE). */
#define __FreeBSD_version 1402000
#define MODULE_KERNEL_MAXVER 1499999

typedef struct module *module_t;
typedef int (*modeventhand_t)(module_t, int, void *);

typedef struct moduledata {
	const char     *name;
	modeventhand_t  evhand;
	void           *priv;
} moduledata_t;

struct mod_depend {
	int md_ver_minimum;
	int md_ver_preferred;
	int md_ver_maximum;
};

struct mod_version {
	int mv_version;
};

struct mod_metadata {
	int         md_version;
	int         md_type;
	const void *md_data;
	const char *md_cval;
};

struct mod_pnp_match_info {
	const char *descr;
	const char *bus;
	const void *table;
	int         entry_len;
	int         num_entry;
};

#define __STRING(x) #x
#define __XSTRING(x) __STRING(x)
#define __CONCAT1(x, y) x ## y
#define __CONCAT(x, y) __CONCAT1(x, y)
#define __used __attribute__((__used__))
#define __section(x) __attribute__((__section__(x)))

/* Linker sets: a pointer in section set_<set>; __start_/__stop_ are made global references. */
#define __GLOBL(sym) __asm__(".globl " __XSTRING(sym))
#define __MAKE_SET(set, sym)						\
	__GLOBL(__CONCAT(__start_set_, set));				\
	__GLOBL(__CONCAT(__stop_set_, set));				\
	static void const * const __set_##set##_sym_##sym		\
	__section("set_" #set) __used = &(sym)
#define DATA_SET(set, sym) __MAKE_SET(set, sym)

#define MODULE_METADATA(uniquifier, type, data, cval)			\
	static struct mod_metadata _mod_metadata##uniquifier = {	\
		MDT_STRUCT_VERSION, type, data, cval			\
	};								\
	DATA_SET(modmetadata_set, _mod_metadata##uniquifier)

#define MODULE_DEPEND(module, mdepend, vmin, vpref, vmax)		\
	static struct mod_depend _##module##_depend_on_##mdepend = {	\
		vmin, vpref, vmax					\
	};								\
	MODULE_METADATA(_md_##module##_on_##mdepend, MDT_DEPEND,	\
	    &_##module##_depend_on_##mdepend, #mdepend)

#define MODULE_VERSION(module, version)					\
	static struct mod_version _##module##_version = { version };	\
	MODULE_METADATA(_##module##_version, MDT_VERSION,		\
	    &_##module##_version, #module)

/* DECLARE_MODULE without the SYSINIT (no kernel to run it here); the kernel dependency is implicit. */
#define DECLARE_MODULE(name, data, sub, order)				\
	MODULE_DEPEND(name, kernel, __FreeBSD_version,			\
	    __FreeBSD_version, MODULE_KERNEL_MAXVER);			\
	MODULE_METADATA(_md_##name, MDT_MODULE, &data, #name)

#define MODULE_PNP_INFO(d, b, unique, t, n)				\
	static const struct mod_pnp_match_info _module_pnp_##b##_##unique = { \
		d, #b, t, sizeof((t)[0]), n				\
	};								\
	MODULE_METADATA(_md_##b##_pnpinfo_##unique, MDT_PNP_INFO,	\
	    &_module_pnp_##b##_##unique, #b)

#endif
