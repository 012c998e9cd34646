/* LkmKit demo kext: kmod_info with explicit start/stop, calls into the kernel (IOLog), pointers to local and
 * external data, a symbol difference (SUBTRACTOR / SECTDIFF) and a symbol+offset code reference (ARM64 ADDEND). */
#include "kmod.h"

extern void *kernel_pointer;
static int counters[4] = {1, 2, 3, 4};
int table[64];
int *second_counter = &counters[1];
void **external_ref = &kernel_pointer;
/* counter_span = table - second_counter, a difference of two symbols (C cannot express it as a constant). */
#ifdef __LP64__
__asm__(".data\n.globl _counter_span\n.p2align 3\n_counter_span:\n.quad _table - _second_counter\n.text\n");
#else
__asm__(".data\n.globl _counter_span\n.p2align 2\n_counter_span:\n.long _table - _second_counter\n.text\n");
#endif

int *table_entry(void) { return &table[40]; }

kern_return_t demo_start(kmod_info_t *ki, void *d)
{
    IOLog("demo start %d\n", counters[2]);
    return 0;
}

kern_return_t demo_stop(kmod_info_t *ki, void *d)
{
    IOLog("demo stop\n");
    return 0;
}

KMOD_EXPLICIT_DECL(com.example.lkmkit.demo, "1.2.3", demo_start, demo_stop)
