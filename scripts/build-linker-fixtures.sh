#!/usr/bin/env bash
# Rebuilds the linker's relocation fixtures (testdata/linker/ARCH/relocs.o) from their assembly sources.
# Needs clang (Debian package clang). The .o files are committed; tests never need the toolchain.
set -euo pipefail
cd "$(dirname "$0")/../testdata/linker"
clang --target=x86_64-linux-gnu -c x86_64/relocs.s -o x86_64/relocs.o
clang --target=i386-linux-gnu -c i386/relocs.s -o i386/relocs.o
clang --target=aarch64-linux-gnu -c aarch64/relocs.s -o aarch64/relocs.o
clang --target=x86_64-linux-gnu -c x86_64/common.s -o x86_64/common.o
clang --target=x86_64-linux-gnu -c x86_64/gotpcrel.s -o x86_64/gotpcrel.o
for arch in x86_64 i386 aarch64; do
    readelf -rW "$arch/relocs.o" > "$arch/relocs.readelf-r.txt"
done
