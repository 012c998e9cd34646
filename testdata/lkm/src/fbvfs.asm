; A file-system LKM for FreeBSD 2.x: MOD_VFS(fbvfs, -1, &fbvfs_vfsconf) with a struct vfsops of stubs.
%include "lkm-freebsd.inc"
        bits 32
        extern  _lkmdispatch
        extern  _lkmexists
        extern  _lkm_nullcmd
        extern  _eopnotsupp
        global  _fbvfs_mod

        section .text
FBSD_MOD_DISPATCH fbvfs, _lkm_nullcmd, _lkm_nullcmd

fbvfs_init:                             ; int fbvfs_init(void)
        xor     eax, eax
        ret

        section .data
_fbvfs_mod_struct:                      ; struct lkm_vfs
        dd      LM_VFS                  ; lkm_type
        dd      LKM_VERSION             ; lkm_ver
        dd      modname                 ; lkm_name
        dd      -1                      ; lkm_offset
        dd      fbvfs_vnodeops          ; lkm_vnodeops (struct linker_set *)
        dd      fbvfs_vfsconf           ; lkm_vfsconf
fbvfs_vnodeops:                         ; struct linker_set { int ls_length; caddr_t ls_items[1]; }
        dd      0, 0
fbvfs_vfsconf:                          ; struct vfsconf { vfsops *; char name[16]; int index, refcount, flags; }
        dd      fbvfs_vfsops
        db      "fbvfs"
        times 11 db 0
        dd      -1, 0, 0
fbvfs_vfsops:                           ; struct vfsops: mount, start, unmount, root, quotactl,
        dd      _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp
        dd      _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp, _eopnotsupp ; statfs, sync, vget, fhtovp, vptofh,
        dd      fbvfs_init              ; init
modname:
        db      "fbvfs", 0
