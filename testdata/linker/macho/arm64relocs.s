// Every arm64 Mach-O relocation a kext object may use, against kernel symbols and local symbols, with ADDEND pairs.
        .text
        .globl _entry
        .p2align 2
_entry:
        bl      _IOLog                          // BRANCH26, kernel
        b       _local_func                     // BRANCH26, local
        bl      _IOLog+8                        // BRANCH26 with an ADDEND
        adrp    x0, _kernel_data@PAGE           // PAGE21
        add     x0, x0, _kernel_data@PAGEOFF    // PAGEOFF12, add: unscaled
        adrp    x1, _local_data@PAGE+0x20       // PAGE21 with an ADDEND
        ldrb    w2, [x1, _local_data@PAGEOFF+0x21] // PAGEOFF12, 1-byte load, ADDEND
        ldrh    w2, [x1, _local_data@PAGEOFF+0x22] // PAGEOFF12, 2-byte load, ADDEND
        ldr     w2, [x1, _local_data@PAGEOFF+0x24] // PAGEOFF12, 4-byte load, ADDEND
        ldr     x2, [x1, _local_data@PAGEOFF+0x28] // PAGEOFF12, 8-byte load, ADDEND
        ldr     q2, [x1, _local_data@PAGEOFF+0x30] // PAGEOFF12, 16-byte SIMD load, ADDEND
        str     x2, [x1, _local_data@PAGEOFF+0x38] // PAGEOFF12, 8-byte store, ADDEND
        ret
_local_func:
        ret

        .data
        .globl _local_data
        .p2align 4
_local_data:
        .quad   _IOLog                          // UNSIGNED 64, kernel
        .quad   _kernel_data+0x10               // UNSIGNED 64 with an addend in place
        .quad   _local_func                     // UNSIGNED 64, local
        .quad   _local_data - _entry            // SUBTRACTOR + UNSIGNED 64 (across sections)
        .long   _local_data - _entry            // SUBTRACTOR + UNSIGNED 32
        .long   _kernel_data - _local_data + 3  // SUBTRACTOR + UNSIGNED 32, kernel minuend
        .space  0x30
