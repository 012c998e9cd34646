; A miscellaneous LKM: MOD_MISC("mymisc"), classic 16-byte header; assembled as Linux a.out (nasm -f aout),
; so the file itself does not say which BSD it is for.
%include "lkm.inc"
        bits 32
        extern  _lkmdispatch
        extern  _printf
        extern  _hz
        global  _mymisc_lkmentry
        global  _mymisc_ticks

        section .text
LKM_DISPATCH _mymisc_lkmentry, mymisc_load

mymisc_load:                            ; prints the kernel's hz and remembers it
        mov     eax, [_hz]
        mov     [_mymisc_ticks], eax
        push    eax
        push    loaded_msg
        call    _printf
        add     esp, 8
        xor     eax, eax
        ret

        section .data
__module:                               ; struct lkm_misc
        dd      LM_MISC                 ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
modname:
        db      "mymisc", 0
loaded_msg:
        db      "mymisc: loaded, hz=%d", 10, 0
        align   2
hooks:                                  ; a 16-bit and a 32-bit reference (r_length 1 and 2)
        dw      modname
        dd      mymisc_load

        section .bss
_mymisc_ticks:
        resd    1
