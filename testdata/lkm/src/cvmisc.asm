; A misc LKM for the converter: MOD_MISC("cvmisc"), classic header (NetBSD 1.x). Its load hook prints and counts;
; only 32-bit relocations, so every target can take it.
%include "lkm.inc"
        bits 32
        extern  _lkmdispatch
        extern  _printf
        global  _cvmisc_lkmentry
        common  _cvmisc_loads 4

        section .text
LKM_DISPATCH _cvmisc_lkmentry, cvmisc_load

cvmisc_load:                            ; int cvmisc_load(struct lkm_table *, int cmd)
        cmp     dword [esp+8], LKM_E_LOAD
        jne     .done
        push    hello_msg
        call    _printf
        add     esp, 4
        inc     dword [_cvmisc_loads]
.done:
        xor     eax, eax
        ret

        section .data
__module:                               ; struct lkm_misc
        dd      LM_MISC                 ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
modname:
        db      "cvmisc", 0
hello_msg:
        db      "cvmisc: loaded", 10, 0
