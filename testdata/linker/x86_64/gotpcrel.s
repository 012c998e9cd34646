# A GOT-relative load, which the Linux x86_64 loader refuses ("Unknown rela relocation").
    .text
    .globl load_through_got
load_through_got:
    movq ext_data@GOTPCREL(%rip), %rax   # R_X86_64_REX_GOTPCRELX
    ret
