; A file-system LKM for OpenBSD 4.x: MOD_VFS("obvfs", -1, &obvfs_vfsconf).
%include "lkm-openbsd.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkm_nofunc
        extern  _eopnotsupp
        global  _obvfs_lkmentry

        section .text
LKM_DISPATCH _obvfs_lkmentry, _lkm_nofunc

        section .data
__module:                               ; struct lkm_vfs
        dd      LM_VFS                  ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
        dd      obvfs_vfsconf           ; lkm_vfsconf
obvfs_vfsconf:                          ; struct vfsconf { struct vfsops *; char name[16]; int typenum, refcount, flags; ... }
        dd      obvfs_vfsops
        db      "obvfs"
        times 11 db 0
        dd      0, 0, 0
obvfs_vfsops:                           ; struct vfsops: twelve operations, none supported
        dd      _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp
        dd      _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp
modname:
        db      "obvfs", 0
