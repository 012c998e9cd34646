; A file-system LKM for NetBSD 1.x: MOD_VFS("nbvfs", -1, &nbvfs_vfsops), classic 16-byte header.
%include "lkm.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkm_nofunc
        extern  _eopnotsupp
        global  _nbvfs_lkmentry

        section .text
LKM_DISPATCH _nbvfs_lkmentry, _lkm_nofunc

nbvfs_init:                             ; void nbvfs_init(void)
        ret

        section .data
__module:                               ; struct lkm_vfs
        dd      LM_VFS                  ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
        dd      nbvfs_vfsops            ; lkm_vfsops
nbvfs_vfsops:                           ; struct vfsops (NetBSD 1.x): vfs_name, then mount … init
        dd      modname
        dd      _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp
        dd      _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp
        dd      nbvfs_init
modname:
        db      "nbvfs", 0
