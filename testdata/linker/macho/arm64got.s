// GOT_LOAD_PAGE21 / GOT_LOAD_PAGEOFF12: need a GOT, which kxld does not build; lkm refuses them.
        .text
        .globl _entry
        .p2align 2
_entry:
        adrp    x0, _IOLog@GOTPAGE
        ldr     x0, [x0, _IOLog@GOTPAGEOFF]
        ret
