# Every x86_64 Mach-O relocation a kext object may use, against kernel symbols (extern), local symbols (extern)
# and labels in a section with no symbol before them (r_extern = 0, section-based).
        .text
        .globl _entry
_entry:
        call    _IOLog                          # BRANCH, extern, kernel
        jmp     _local_func                     # BRANCH, extern, local
        movq    _kernel_data(%rip), %rax        # SIGNED, extern
        movq    L_anon+8(%rip), %rax            # SIGNED, section-based
        movb    $0x11, _kernel_data+1(%rip)     # SIGNED (offset 1), extern
        movb    $0x22, L_anon+1(%rip)           # SIGNED (offset 1), section-based
        movw    $0x3333, _kernel_data+2(%rip)   # SIGNED (+2), extern
        movw    $0x4444, L_anon+2(%rip)         # SIGNED (+2), section-based
        movl    $0x55555555, _kernel_data+4(%rip) # SIGNED (+4), extern
        movl    $0x66666666, L_anon+4(%rip)     # SIGNED (+4), section-based
        leaq    _local_data+16(%rip), %rcx      # SIGNED, extern, local
        movb    $0x77, _kernel_data(%rip)       # SIGNED_1, extern (offset 0: the -1 is implicit in the type)
        movb    $0x78, L_anon(%rip)             # SIGNED_1, section-based
        movw    $0x7979, _kernel_data(%rip)     # SIGNED_2, extern
        movw    $0x7a7a, L_anon(%rip)           # SIGNED_2, section-based
        movl    $0x7b7b7b7b, _kernel_data(%rip) # SIGNED_4, extern
        movl    $0x7c7c7c7c, L_anon(%rip)       # SIGNED_4, section-based
        ret
_local_func:
        ret

        .data
        .globl _local_data
_local_data:
        .quad   _IOLog                          # UNSIGNED 64, extern, kernel
        .quad   _kernel_data+0x10               # UNSIGNED 64, extern, with addend
        .quad   _local_func                     # UNSIGNED 64, extern, local
        .quad   L_anon+12                       # UNSIGNED 64, section-based
        .quad   _local_func - _entry            # SUBTRACTOR + UNSIGNED 64
        .long   _local_data - _entry            # SUBTRACTOR + UNSIGNED 32
        .long   _local_data - _local_func + 3   # SUBTRACTOR + UNSIGNED 32, negative stored constant

        .section __DATA,__anon
L_anon:                                         # no symbol precedes: references become r_extern = 0
        .quad   0x1122334455667788, 0x99aabbccddeeff00
