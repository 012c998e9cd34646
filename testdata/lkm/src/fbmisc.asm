; A misc LKM for FreeBSD 2.x: MOD_MISC(fbmisc); its load hook counts loads and prints, unload is lkm_nullcmd.
%include "lkm-freebsd.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkmexists
        extern  _lkm_nullcmd
        extern  _printf
        global  _fbmisc_mod

        section .text
FBSD_MOD_DISPATCH fbmisc, fbmisc_load, _lkm_nullcmd

fbmisc_load:                            ; static int fbmisc_load(struct lkm_table *lkmtp, int cmd)
        inc     dword [fbmisc_loads]
        push    dword [fbmisc_loads]
        push    hello_msg
        call    _printf
        add     esp, 8
        xor     eax, eax
        ret

        section .data
_fbmisc_mod_struct:                     ; struct lkm_misc
        dd      LM_MISC                 ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset (LKM_ANON)
modname:
        db      "fbmisc", 0
hello_msg:
        db      "fbmisc: loaded %d times", 10, 0

        section .bss
fbmisc_loads:
        resd    1
