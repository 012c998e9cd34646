#!/usr/bin/env bash
# Rebuilds the Mach-O linker fixtures under testdata/linker/macho from their assembly sources with llvm-mc
# (Debian bookworm: llvm 14). The kext objects the linker tests also use (testdata/kext/objects/*.o) come from
# scripts/build-kext-fixtures.sh.
set -euo pipefail
cd "$(dirname "$0")/../testdata/linker/macho"
for f in x86_64relocs x86_64got x86_64user x86_64subtractor; do
  llvm-mc -triple x86_64-apple-macos11 -filetype=obj "$f.s" -o "$f.o"
done
for f in arm64relocs arm64got; do
  llvm-mc -triple arm64-apple-macos11 -filetype=obj "$f.s" -o "$f.o"
done
llvm-mc -triple i386-apple-macos10.13 -filetype=obj i386relocs.s -o i386relocs.o
ls -la *.o
