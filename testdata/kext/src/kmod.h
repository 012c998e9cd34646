/* The kmod_info declaration of xnu's osfmk/mach/kmod.h (KMOD_INFO_VERSION 1, #pragma pack(4)),
 * written out here because the fixtures are built without Apple's SDK. */
#ifndef LKMKIT_KMOD_H
#define LKMKIT_KMOD_H
typedef int kern_return_t;
typedef struct kmod_info kmod_info_t;
typedef kern_return_t kmod_start_func_t(kmod_info_t *ki, void *data);
typedef kern_return_t kmod_stop_func_t(kmod_info_t *ki, void *data);
#pragma pack(push, 4)
struct kmod_info {
    struct kmod_info *next;
    int info_version;
    unsigned int id;
    char name[64];
    char version[64];
    int reference_count;
    void *reference_list;
    unsigned long address;
    unsigned long size;
    unsigned long hdr_size;
    kmod_start_func_t *start;
    kmod_stop_func_t *stop;
};
#pragma pack(pop)
#define KMOD_EXPLICIT_DECL(name, version, start, stop) \
    kmod_info_t kmod_info = { 0, 1, -1U, #name, version, -1, 0, 0, 0, 0, start, stop };
extern int IOLog(const char *format, ...);
#endif
