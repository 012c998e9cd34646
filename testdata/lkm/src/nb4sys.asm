; A system-call LKM for NetBSD 4.x: MOD_SYSCALL("nb4sys", 210, &nb4sys_sysent) with the 24-byte header; its struct
; sysent has an int sy_flags before sy_call.
%include "lkm-netbsd4.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkm_nofunc
        global  _nb4sys_lkmentry

        section .text
LKM4_DISPATCH _nb4sys_lkmentry, _lkm_nofunc, _lkm_nofunc

; int nb4sys_call(struct lwp *l, void *uap, register_t *retval): *retval = 4.
nb4sys_call:
        mov     eax, [esp+12]
        mov     dword [eax], 4
        xor     eax, eax
        ret

        section .data
__module:                               ; struct lkm_syscall (NetBSD 4)
        dd      LM_SYSCALL              ; lkm_type
        dd      modname                 ; lkm_name
        dd      210                     ; lkm_offset: slot 210
        dd      LKM_VERSION             ; lkm_modver
        dd      NETBSD_VERSION          ; lkm_sysver
        dd      envver                  ; lkm_envver
        dd      nb4sys_sysent           ; lkm_sysent
        times 12 db 0                   ; lkm_oldent
nb4sys_sysent:                          ; struct sysent (NetBSD 4): short sy_narg, sy_argsize; int sy_flags; sy_call
        dw      0, 0
        dd      0
        dd      nb4sys_call
modname:
        db      "nb4sys", 0
envver:
        db      "", 0
