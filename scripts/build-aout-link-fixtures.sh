#!/usr/bin/env bash
# Rebuilds the a.out linker fixtures in testdata/linker/aout/ with NASM (Debian package nasm):
#   relocs.o      nasm -f aoutb (NetBSD a.out OMAGIC): every standard i386 relocation form NASM writes
#   relocs.elf.o  nasm -f elf32: the same source as ELF, the twin the tests compare the linked bytes with
#   user.o        nasm -f aoutb: a second object calling relocs.o's globals (two-module link)
# The LKM fixtures linked by the same tests (testdata/lkm/*.o and *.elf.o) come from scripts/build-lkm-fixtures.sh.
set -euo pipefail
cd "$(dirname "$0")/../testdata/linker/aout"
command -v nasm >/dev/null || { echo "nasm is required (apt-get install nasm)" >&2; exit 1; }
nasm -v
nasm -f aoutb -o relocs.o relocs.asm
nasm -f elf32 -o relocs.elf.o relocs.asm
nasm -f aoutb -o user.o user.asm
ls -l ./*.o
