// One instance of every AArch64 relocation type lkm link applies (assembled by scripts/build-linker-fixtures.sh).
    .text
    .globl reloc_text
reloc_text:
    bl   ext_func                       // CALL26
    b    ext_func                       // JUMP26
    adrp x0, ext_data                   // ADR_PREL_PG_HI21
    add  x0, x0, :lo12:ext_data         // ADD_ABS_LO12_NC
    adrp x1, :pg_hi21_nc:ext_data       // ADR_PREL_PG_HI21_NC
    adr  x2, near_data                  // ADR_PREL_LO21
    ldrb w3, [x0, :lo12:ext_data]       // LDST8_ABS_LO12_NC
    ldrh w3, [x0, :lo12:ext_data]       // LDST16_ABS_LO12_NC
    ldr  w3, [x0, :lo12:ext_data]       // LDST32_ABS_LO12_NC
    ldr  x3, [x0, :lo12:ext_data]       // LDST64_ABS_LO12_NC
    ldr  q3, [x0, :lo12:ext_data]       // LDST128_ABS_LO12_NC
    movz x4, #:abs_g0:low_sym           // MOVW_UABS_G0
    movk x4, #:abs_g0_nc:ext_data       // MOVW_UABS_G0_NC
    movz x4, #:abs_g1:low_sym           // MOVW_UABS_G1
    movk x4, #:abs_g1_nc:ext_data       // MOVW_UABS_G1_NC
    movz x4, #:abs_g2:low_sym           // MOVW_UABS_G2
    movk x4, #:abs_g2_nc:ext_data       // MOVW_UABS_G2_NC
    movk x4, #:abs_g3:ext_data          // MOVW_UABS_G3
    movz x5, #:abs_g0_s:neg_sym         // MOVW_SABS_G0 (negative: becomes MOVN)
    movz x5, #:abs_g1_s:low_sym         // MOVW_SABS_G1 (positive: stays MOVZ)
    movz x5, #:abs_g2_s:neg_sym         // MOVW_SABS_G2
    movz x6, #:prel_g0:near_data        // MOVW_PREL_G0
    movk x6, #:prel_g0_nc:near_data     // MOVW_PREL_G0_NC
    movz x6, #:prel_g1:near_data        // MOVW_PREL_G1
    movk x6, #:prel_g1_nc:near_data     // MOVW_PREL_G1_NC
    movz x6, #:prel_g2:near_data        // MOVW_PREL_G2
    movk x6, #:prel_g2_nc:near_data     // MOVW_PREL_G2_NC
    movz x6, #:prel_g3:near_data        // MOVW_PREL_G3
    b.eq near_fn                        // CONDBR19
    cbz  x0, near_fn                    // CONDBR19
    tbz  x0, #3, near_fn                // TSTBR14
    ldr  x7, near_literal               // LD_PREL_LO19
    .reloc ., R_AARCH64_NONE, ext_data
    nop
    ret

    .section .text.other, "ax"
near_fn:
    ret

    .section .rodata
    .balign 16
near_data:
    .quad 0x1122334455667788
near_literal:
    .quad 0

    .data
    .globl reloc_data
reloc_data:
    .quad ext_data + 8                  // ABS64
    .quad ext_data - .                  // PREL64
    .long ext_data - .                  // PREL32
    .long low_sym                       // ABS32
    .hword low_sym                      // ABS16
    .hword near_data - .                // PREL16
    .long 0
    .quad near_data                     // ABS64 against a section symbol
