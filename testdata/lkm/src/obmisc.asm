; A misc LKM for OpenBSD 4.x: MOD_MISC("obmisc") with the default entry name xxxinit and LKM_VERSION 2.
%include "lkm-openbsd.inc"
        bits 32
        extern  _lkmdispatch
        extern  _printf
        global  _xxxinit

        section .text
LKM_DISPATCH _xxxinit, obmisc_load

obmisc_load:                            ; int obmisc_load(struct lkm_table *, int cmd)
        push    hello_msg
        call    _printf
        add     esp, 4
        xor     eax, eax
        ret

        section .data
__module:                               ; struct lkm_misc
        dd      LM_MISC                 ; lkm_type (4 in OpenBSD 4.x)
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
modname:
        db      "obmisc", 0
hello_msg:
        db      "obmisc: loaded", 10, 0
