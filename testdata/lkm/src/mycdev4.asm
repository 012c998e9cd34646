; A NetBSD 4.x-style character-device LKM: MOD_DEV("mycdev4", "mycdev4", NULL, -1, &mycdev4_cdevsw, -1) with the
; 24-byte NetBSD 4 header (lkm_type, lkm_name, lkm_offset, lkm_modver, lkm_sysver, lkm_envver) and the NetBSD 4
; LKM_DISPATCH order (lkmdispatch first, then the module's hook). NetBSD 4 shipped ELF LKMs; this a.out object
; only exercises the descriptor layout.
        bits 32
        extern  _lkmdispatch
        extern  _nullop
        extern  _enodev
        global  _mycdev4_lkmentry

%define LM_DEV          2
%define LKM_VERSION4    2               ; NetBSD 4 LKM_VERSION
%define NETBSD_VERSION  400000000       ; __NetBSD_Version__ of 4.0
%define LKM_E_LOAD      1
%define LKMTP_PRIVATE   40

        section .text
_mycdev4_lkmentry:                      ; int mycdev4_lkmentry(struct lkm_table *lkmtp, int cmd, int ver)
        push    ebp
        mov     ebp, esp
        mov     eax, [ebp+8]
        cmp     dword [ebp+12], LKM_E_LOAD
        jne     .dispatch
        mov     dword [eax+LKMTP_PRIVATE], __module
.dispatch:
        push    dword [ebp+12]
        push    eax
        call    _lkmdispatch
        add     esp, 8
        leave
        ret

mycdev4_open:
        xor     eax, eax
        ret

        section .data
__module:                               ; struct lkm_dev (NetBSD 4)
        dd      LM_DEV                  ; lkm_type
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
        dd      LKM_VERSION4            ; lkm_modver
        dd      NETBSD_VERSION          ; lkm_sysver
        dd      envver                  ; lkm_envver
        dd      modname                 ; lkm_devname
        dd      0                       ; lkm_bdev: no block device
        dd      -1                      ; lkm_bdevmaj
        dd      mycdev4_cdevsw          ; lkm_cdev
        dd      -1                      ; lkm_cdevmaj: any
mycdev4_cdevsw:                         ; the first words of a cdevsw: open, close, read, write
        dd      mycdev4_open, _nullop, _enodev, _enodev
modname:
        db      "mycdev4", 0
envver:
        db      ",DEBUG", 0
