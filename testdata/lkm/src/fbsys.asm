; A system-call LKM for FreeBSD 2.x: MOD_SYSCALL(fbsys, 210, &fbsys_sysent), a fixed slot.
%include "lkm-freebsd.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkmexists
        extern  _lkm_nullcmd
        global  _fbsys_mod

        section .text
FBSD_MOD_DISPATCH fbsys, _lkm_nullcmd, _lkm_nullcmd

; int fbsys_call(struct proc *p, struct { int value; } *uap, int *retval): *retval = 2 * uap->value.
fbsys_call:
        mov     eax, [esp+8]
        mov     eax, [eax]
        add     eax, eax
        mov     ecx, [esp+12]
        mov     [ecx], eax
        xor     eax, eax
        ret

        section .data
_fbsys_mod_struct:                      ; struct lkm_syscall
        dd      LM_SYSCALL              ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      210                     ; lkm_offset: slot 210
        dd      fbsys_sysent            ; lkm_sysent
        times 8 db 0                    ; lkm_oldent
fbsys_sysent:                           ; struct sysent (FreeBSD 2.x): int sy_narg; sy_call_t *sy_call
        dd      1
        dd      fbsys_call
modname:
        db      "fbsys", 0
