; An exec-format LKM: MOD_EXEC("myexec", -1, &myexec_execsw), classic 16-byte header. Type 4 is LM_EXEC in the
; classic numbering but LM_MISC in OpenBSD 4.x's, so a reader must not guess which.
%include "lkm.inc"
        bits 32
        extern  _lkmdispatch
        global  _myexec_lkmentry

        section .text
LKM_DISPATCH _myexec_lkmentry, myexec_load

myexec_load:
        xor     eax, eax
        ret

myexec_check:                           ; int myexec_check(struct proc *, struct exec_package *): never ours
        mov     eax, 8                  ; ENOEXEC
        ret

        section .data
__module:                               ; struct lkm_exec
        dd      LM_EXEC                 ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
        dd      myexec_execsw           ; lkm_exec
        times 8 db 0                    ; lkm_oldexec: struct execsw save area
myexec_execsw:                          ; struct execsw (NetBSD 1.x): u_int es_hdrsz; int (*es_check)()
        dd      32
        dd      myexec_check
modname:
        db      "myexec", 0
