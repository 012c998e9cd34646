; A system-call LKM: MOD_SYSCALL("mysys", -1, &mysys_sysent), classic 16-byte header (NetBSD 1.x).
%include "lkm.inc"
        bits 32
        extern  _lkmdispatch
        extern  _printf
        global  _mysys_lkmentry
        common  _mysys_last 4

        section .text
LKM_DISPATCH _mysys_lkmentry, mysys_load

mysys_load:                             ; int mysys_load(struct lkm_table *, int cmd)
        xor     eax, eax
        ret

; int mysys_call(struct proc *p, void *uap, register_t *retval): prints, counts, returns 42.
mysys_call:
        push    hello_msg
        call    _printf
        add     esp, 4
        inc     dword [mysys_calls]
        mov     eax, [esp+12]
        mov     dword [eax], 42
        mov     [_mysys_last], eax
        xor     eax, eax
        ret

        section .data
__module:                               ; struct lkm_syscall
        dd      LM_SYSCALL              ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset: any free slot
        dd      mysys_sysent            ; lkm_sysent
        times 8 db 0                    ; lkm_oldent: struct sysent save area
mysys_sysent:                           ; struct sysent (NetBSD 1.x): short sy_narg, sy_argsize; sy_call_t *sy_call
        dw      1, 4
        dd      mysys_call
modname:
        db      "mysys", 0
hello_msg:
        db      "mysys: called", 10, 0

        section .bss
mysys_calls:
        resd    1
