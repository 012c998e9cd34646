; Every standard i386 a.out relocation form NASM writes, for the a.out linker tests (scripts/build-aout-link-fixtures.sh
; assembles it as relocs.o with nasm -f aoutb and as relocs.elf.o with nasm -f elf32). One line per record; the
; comment names the a.out form (flag byte) and the ELF twin's type.
        bits 32
        extern  _ext_func
        extern  _ext_data
        global  _glob_func
        global  _glob_data
        common  _cm 6                   ; a.out: N_UNDF|N_EXT with n_value 6; BSD ld gives it 8 bytes, 4-aligned

        section .text
_glob_func:
        call    _ext_func               ; STD_DISP32|EXTERN      R_386_PC32  extern, pc-relative, text place
        mov     eax, [_ext_data + 8]    ; STD_32|EXTERN          R_386_32    extern + in-place addend
        mov     eax, [dword_var]        ; STD_32 (N_DATA)        R_386_32    .data
        mov     eax, [bss_var]          ; STD_32 (N_BSS)         R_386_32    .bss
        mov     eax, local_fn           ; STD_32 (N_TEXT)        R_386_32    .text
        call    data_code               ; STD_DISP32 (N_DATA)    R_386_PC32  segment-relative, pc-relative
        mov     eax, [_cm]              ; STD_32|EXTERN          R_386_32    common
        mov     eax, [_glob_data]       ; STD_32 (N_DATA)        R_386_32    a global defined here
        jmp     word _ext_func          ; STD_DISP16|EXTERN      R_386_PC16  16-bit pc-relative
        jmp     word data_code          ; STD_DISP16 (N_DATA)    R_386_PC16  16-bit pc-relative, segment-relative
local_fn:
        ret

        section .data
dword_var:
        dd      _ext_data               ; STD_32|EXTERN          R_386_32
        dd      local_fn                ; STD_32 (N_TEXT)        R_386_32
        dw      dword_var               ; STD_16 (N_DATA)        R_386_16
        dw      _ext_data + 2           ; STD_16|EXTERN          R_386_16
        db      bss_var                 ; STD_8 (N_BSS)          R_386_8
        db      _ext_data               ; STD_8|EXTERN           R_386_8
        align   4
_glob_data:
        dd      _ext_func - $           ; STD_DISP32|EXTERN      R_386_PC32  pc-relative, data place
        dw      local_fn - $            ; STD_DISP16 (N_TEXT)    R_386_PC16  pc-relative, data place, segment-relative
        align   4
data_code:
        ret

        section .bss
bss_var:
        resd    1
