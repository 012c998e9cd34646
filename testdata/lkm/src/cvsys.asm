; A system-call LKM for the converter: MOD_SYSCALL("cvsys", 210, &cvsys_sysent), classic header (NetBSD 1.x), a fixed slot.
%include "lkm.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkm_nofunc
        global  _cvsys_lkmentry

        section .text
LKM_DISPATCH _cvsys_lkmentry, _lkm_nofunc

; int cvsys_call(struct proc *p, void *uap, register_t *retval): returns 7 in *retval.
cvsys_call:
        mov     eax, [esp+12]
        mov     dword [eax], 7
        xor     eax, eax
        ret

        section .data
__module:                               ; struct lkm_syscall
        dd      LM_SYSCALL              ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      210                     ; lkm_offset: slot 210
        dd      cvsys_sysent            ; lkm_sysent
        times 8 db 0                    ; lkm_oldent
cvsys_sysent:                           ; struct sysent (NetBSD 1.x): short sy_narg, sy_argsize; sy_call_t *sy_call
        dw      0, 0
        dd      cvsys_call
modname:
        db      "cvsys", 0
