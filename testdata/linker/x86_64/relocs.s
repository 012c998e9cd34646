# One instance of every x86_64 relocation type lkm link applies (assembled by scripts/build-linker-fixtures.sh).
    .text
    .globl reloc_text
reloc_text:
    call ext_func                 # R_X86_64_PLT32
    movq $ext_data, %rax          # R_X86_64_32S
    movl $low_sym, %eax           # R_X86_64_32
    leaq ext_data(%rip), %rax     # R_X86_64_PC32
    leaq local_data+8(%rip), %rcx # R_X86_64_PC32 against a section symbol
    .reloc ., R_X86_64_NONE, ext_data
    nop
    ret

    .section .rodata
local_data:
    .quad 0x1122334455667788, 0

    .data
    .globl reloc_data
reloc_data:
    .quad ext_data + 8            # R_X86_64_64
    .quad ext_data - .            # R_X86_64_PC64
    .long ext_func - .            # R_X86_64_PC32
    .long 0
    .quad local_data              # R_X86_64_64 against a section symbol
