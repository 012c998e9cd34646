#!/usr/bin/env bash
# Rebuilds the legacy a.out LKM fixtures in testdata/lkm/ from testdata/lkm/src/ with NASM (Debian package nasm):
#   <name>.o      the a.out LKM object (nasm -f aoutb: NetBSD network-order a_midmag; mymisc and the FreeBSD 2.x fb*
#                 fixtures: nasm -f aout, Linux a.out. FreeBSD 2.x's own toolchain wrote a host-order a_midmag, which NASM
#                 cannot; their *_mod_struct descriptor names them FreeBSD)
#   systems: my*, cv*, nbvfs NetBSD 1.x classic; mycdev4, nb4* NetBSD 4 (lkm-netbsd4.inc); fb* FreeBSD 2.x (lkm-freebsd.inc); ob* OpenBSD 4.x
#   (lkm-openbsd.inc, LKM_VERSION 2); types syscall, misc, vfs, dev, exec
#   <name>.elf.o  the same source as ELF32 (nasm -f elf32), the twin the tests compare relocations with
#   <name>.lst    NASM's listing, which the tests compare relocation sites with
set -euo pipefail
cd "$(dirname "$0")/../testdata/lkm"
command -v nasm >/dev/null || { echo "nasm is required (apt-get install nasm)" >&2; exit 1; }
nasm -v
for name in mysys mydev myexec mymisc mycdev4 cvmisc cvsys nbvfs \
            nb4misc nb4sys fbmisc fbsys fbvfs fbdev fbexec obmisc obsys obvfs obdev obexec; do
    format=aoutb
    case "$name" in mymisc | fb*) format=aout ;; esac
    nasm -f "$format" -I src/ -l "$name.lst" -o "$name.o" "src/$name.asm"
    nasm -f elf32 -I src/ -o "$name.elf.o" "src/$name.asm"
done
ls -l ./*.o ./*.lst
