# One instance of every i386 relocation type lkm link applies to ET_REL (REL: addends stored at the place).
    .text
    .globl reloc_text
reloc_text:
    call ext_func                 # R_386_PC32, addend -4 in place
    call ext_func@PLT             # R_386_PLT32
    movl $ext_data, %eax          # R_386_32
    movl $ext_data+12, %ebx       # R_386_32, addend 12 in place
    movl local_data+4, %ecx       # R_386_32 against a section symbol
    .reloc ., R_386_NONE, ext_data
    nop
    ret

    .section .rodata
local_data:
    .long 0x11223344, 0

    .data
    .globl reloc_data
reloc_data:
    .long ext_data + 8            # R_386_32
    .long ext_func - .            # R_386_PC32
    .long local_data              # R_386_32 against a section symbol
