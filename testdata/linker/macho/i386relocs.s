# i386 Mach-O relocations as a kext object (MH_OBJECT, the form kxld links on i386) has them: plain VANILLA (extern
# and section-based, absolute and pc-relative), scattered VANILLA (symbol + offset), SECTDIFF and LOCAL_SECTDIFF pairs.
        .text
        .globl _entry
_entry:
        call    _IOLog                          # VANILLA pcrel, extern (kernel)
        call    _other_func                     # VANILLA pcrel, section-based (another section)
        movl    L_anon+8, %eax                  # VANILLA absolute, section-based
        movl    _local_data+12, %eax            # scattered VANILLA (symbol + offset)
        movl    _kernel_data, %eax              # VANILLA absolute, extern (kernel)
        call    _other_func+2                   # scattered VANILLA pcrel
        ret

        .section __TEXT,__text2,regular,pure_instructions
        .globl _other_func
_other_func:
        nop
        nop
        ret

        .data
        .globl _local_data
_local_data:
        .long   _IOLog                          # VANILLA, extern
        .long   _other_func                     # VANILLA, section-based
        .long   _local_data - _entry            # SECTDIFF + PAIR
        .long   L_anon - L_here + 5             # LOCAL_SECTDIFF + PAIR
L_here:
        .long   _other_func + 1 - _local_data   # SECTDIFF with a constant
        .long   0

        .section __DATA,__anon
L_anon:
        .long   1, 2, 3, 4
