; A character-device LKM for OpenBSD 4.x: MOD_DEV("obdev", LM_DT_CHAR, -1, &obdev_cdevsw).
%include "lkm-openbsd.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkm_nofunc
        extern  _enodev
        extern  _nullop
        global  _obdev_lkmentry

        section .text
LKM_DISPATCH _obdev_lkmentry, _lkm_nofunc

        section .data
__module:                               ; struct lkm_dev
        dd      LM_DEV                  ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset: any free major
        dd      LM_DT_CHAR              ; lkm_devtype
        dd      obdev_cdevsw            ; lkm_dev
        times 44 db 0                   ; lkm_olddev: save area
obdev_cdevsw:                           ; struct cdevsw (OpenBSD 4.x): open, close, read, write, ioctl, stop, tty,
        dd      _nullop, _nullop, _enodev, _enodev, _enodev, _enodev, 0 ; poll, mmap, type, flags, kqfilter
        dd      _enodev, _enodev, 0, 0, _enodev
modname:
        db      "obdev", 0
