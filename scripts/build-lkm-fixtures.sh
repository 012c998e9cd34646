#!/usr/bin/env bash
# Rebuilds the legacy a.out LKM fixtures in testdata/lkm/ from testdata/lkm/src/ with NASM (Debian package nasm):
#   <name>.o      the a.out LKM object (nasm -f aoutb: NetBSD network-order a_midmag; mymisc: nasm -f aout, Linux a.out)
#   <name>.elf.o  the same source as ELF32 (nasm -f elf32), the twin the tests compare relocations with
#   <name>.lst    NASM's listing, which the tests compare relocation sites with
set -euo pipefail
cd "$(dirname "$0")/../testdata/lkm"
command -v nasm >/dev/null || { echo "nasm is required (apt-get install nasm)" >&2; exit 1; }
nasm -v
for name in mysys mydev myexec mymisc mycdev4 cvmisc cvsys; do
    format=aoutb
    [ "$name" = mymisc ] && format=aout
    nasm -f "$format" -I src/ -l "$name.lst" -o "$name.o" "src/$name.asm"
    nasm -f elf32 -I src/ -o "$name.elf.o" "src/$name.asm"
done
ls -l ./*.o ./*.lst
