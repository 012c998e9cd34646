; An exec-format LKM for OpenBSD 4.x: MOD_EXEC("obexec", -1, &obexec_execsw); LM_EXEC is 3 there.
%include "lkm-openbsd.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkm_nofunc
        global  _obexec_lkmentry

        section .text
LKM_DISPATCH _obexec_lkmentry, _lkm_nofunc

obexec_check:                           ; int obexec_check(struct proc *, struct exec_package *): never ours
        mov     eax, 8                  ; ENOEXEC
        ret

        section .data
__module:                               ; struct lkm_exec
        dd      LM_EXEC                 ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
        dd      obexec_execsw           ; lkm_exec
        times 8 db 0                    ; lkm_oldexec
obexec_execsw:                          ; struct execsw (OpenBSD): u_long es_hdrsz; int (*es_check)()
        dd      32
        dd      obexec_check
modname:
        db      "obexec", 0
