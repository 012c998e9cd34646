; A character-device LKM for FreeBSD 2.x: MOD_DEV(fbdev, LM_DT_CHAR, -1, &fbdev_cdevsw).
%include "lkm-freebsd.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkmexists
        extern  _lkm_nullcmd
        extern  _nodev
        extern  _nullop
        global  _fbdev_mod

        section .text
FBSD_MOD_DISPATCH fbdev, _lkm_nullcmd, _lkm_nullcmd

fbdev_open:                             ; int fbdev_open(dev_t, int, int, struct proc *)
        xor     eax, eax
        ret

        section .data
_fbdev_mod_struct:                      ; struct lkm_dev
        dd      LM_DEV                  ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset: any free major (LKM_ANON)
        dd      LM_DT_CHAR              ; lkm_devtype
        dd      fbdev_cdevsw            ; lkm_dev
        times 48 db 0                   ; lkm_olddev: save area
fbdev_cdevsw:                           ; struct cdevsw (FreeBSD 2.x): open, close, read, write, ioctl, stop, reset,
        dd      fbdev_open, _nullop, _nodev, _nodev, _nodev, _nodev, _nodev ; devtotty, select, mmap, strategy, name
        dd      0, _nodev, _nodev, 0, modname
modname:
        db      "fbdev", 0
