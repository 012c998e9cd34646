; A misc LKM for NetBSD 4.x: MOD_MISC("nb4misc") with the 24-byte header; the load hook prints.
%include "lkm-netbsd4.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkm_nofunc
        extern  _printf
        global  _nb4misc_lkmentry

        section .text
LKM4_DISPATCH _nb4misc_lkmentry, nb4misc_load, _lkm_nofunc

nb4misc_load:                           ; int nb4misc_load(struct lkm_table *, int cmd)
        push    hello_msg
        call    _printf
        add     esp, 4
        xor     eax, eax
        ret

        section .data
__module:                               ; struct lkm_misc (NetBSD 4)
        dd      LM_MISC                 ; lkm_type
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
        dd      LKM_VERSION             ; lkm_modver
        dd      NETBSD_VERSION          ; lkm_sysver
        dd      envver                  ; lkm_envver
modname:
        db      "nb4misc", 0
envver:
        db      "", 0
hello_msg:
        db      "nb4misc: loaded", 10, 0
