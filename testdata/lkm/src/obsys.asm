; A system-call LKM for OpenBSD 4.x: MOD_SYSCALL("obsys", 210, &obsys_sysent); its sysent has sy_flags before sy_call.
%include "lkm-openbsd.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkm_nofunc
        global  _obsys_lkmentry

        section .text
LKM_DISPATCH _obsys_lkmentry, _lkm_nofunc

; int obsys_call(struct proc *p, void *uap, register_t *retval): *retval = 11.
obsys_call:
        mov     eax, [esp+12]
        mov     dword [eax], 11
        xor     eax, eax
        ret

        section .data
__module:                               ; struct lkm_syscall
        dd      LM_SYSCALL              ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      210                     ; lkm_offset: slot 210
        dd      obsys_sysent            ; lkm_sysent
        times 12 db 0                   ; lkm_oldent
obsys_sysent:                           ; struct sysent (OpenBSD 4.x): short sy_narg, sy_argsize; int sy_flags; sy_call
        dw      0, 0
        dd      0
        dd      obsys_call
modname:
        db      "obsys", 0
