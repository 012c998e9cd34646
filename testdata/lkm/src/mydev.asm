; A character-device LKM: MOD_DEV("mydev", LM_DT_CHAR, -1, &mydev_cdevsw), classic 16-byte header (NetBSD 1.x).
%include "lkm.inc"
        bits 32
        extern  _lkmdispatch
        extern  _enodev
        extern  _nullop
        extern  _seltrue
        extern  _uiomove
        global  _mydev_lkmentry

        section .text
LKM_DISPATCH _mydev_lkmentry, mydev_load

mydev_load:
        xor     eax, eax
        ret

mydev_open:                             ; int mydev_open(dev_t, int, int, struct proc *)
mydev_close:
        xor     eax, eax
        ret

mydev_read:                             ; int mydev_read(dev_t dev, struct uio *uio, int flag): copy out the banner
        push    dword [esp+8]
        push    banner_len
        push    banner
        call    _uiomove
        add     esp, 12
        ret

        section .data
__module:                               ; struct lkm_dev
        dd      LM_DEV                  ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset: any free major
        dd      LM_DT_CHAR              ; lkm_devtype
        dd      mydev_cdevsw            ; lkm_dev
        times 40 db 0                   ; lkm_olddev: save area (union of bdevsw and cdevsw)
mydev_cdevsw:                           ; struct cdevsw (NetBSD 1.x, 10 words)
        dd      mydev_open, mydev_close, mydev_read, _enodev, _enodev
        dd      _nullop, 0, _seltrue, _enodev, 0
modname:
        db      "mydev", 0
banner:
        db      "hello from mydev", 10
banner_len equ $ - banner
