# A common symbol (as -fcommon C code produces): refused by Linux, allocated by the sequential layout.
    .text
    .globl use_common
use_common:
    movl shared_counter(%rip), %eax   # R_X86_64_PC32 against the common symbol
    ret
    .comm shared_counter, 8, 16
