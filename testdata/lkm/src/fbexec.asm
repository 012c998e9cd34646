; An exec-format LKM for FreeBSD 2.x: MOD_EXEC(fbexec, -1, &fbexec_execsw).
%include "lkm-freebsd.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkmexists
        extern  _lkm_nullcmd
        global  _fbexec_mod

        section .text
FBSD_MOD_DISPATCH fbexec, _lkm_nullcmd, _lkm_nullcmd

fbexec_imgact:                          ; int fbexec_imgact(struct image_params *): never ours
        mov     eax, -1
        ret

        section .data
_fbexec_mod_struct:                     ; struct lkm_exec
        dd      LM_EXEC                 ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
        dd      fbexec_execsw           ; lkm_exec
        times 8 db 0                    ; lkm_oldexec
fbexec_execsw:                          ; struct execsw (FreeBSD 2.x): int (*ex_imgact)(); const char *ex_name
        dd      fbexec_imgact
        dd      modname
modname:
        db      "fbexec", 0
