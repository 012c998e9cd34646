#!/usr/bin/env bash
# Rebuild the FreeBSD linker fixtures: the i386 ET_DYN ones in testdata/linker/freebsd-dyn/ from the sources in its src/,
# arm64 ET_DYN builds of testdata/freebsd/src/fbsd_{demo,user}.c in testdata/linker/freebsd-dyn/aarch64/,
# and amd64 ET_REL builds of testdata/freebsd/src/fbsd_{demo,user}.c in testdata/linker/freebsd-amd64/ compiled as
# sys/conf/kmod.mk does for amd64 (-mcmodel=kernel -mno-red-zone, ld -r -d), so that they need only the relocation
# types FreeBSD's amd64 loader accepts (testdata/freebsd/amd64/ is built without -mcmodel=kernel and has R_X86_64_32).
# Like scripts/build-bsd-fixtures.sh (clang --target=i386-unknown-freebsd -c; ld.lld -r -d; ld.lld -shared -z notext
# --hash-style=sysv, i.e. ld -Bshareable), but compiled with -fPIC so that the images need GOT (R_386_GLOB_DAT) and
# PLT (R_386_JUMP_SLOT) relocations. The fbsd_demo/fbsd_user modules themselves come from build-bsd-fixtures.sh.
# Usage: scripts/build-fbsd-dyn-link-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-clang}
LD=${LD:-ld.lld}
CFLAGS=(-ffreestanding -nostdinc -fno-common -fPIC -O2 -fno-asynchronous-unwind-tables -fno-unwind-tables -Itestdata/freebsd/src)
out=testdata/linker/freebsd-dyn
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for m in fbsd_got fbsd_plt; do
    "$CC" --target=i386-unknown-freebsd "${CFLAGS[@]}" -c "$out/src/$m.c" -o "$work/$m.o"
    "$LD" -r -d "$work/$m.o" -o "$work/$m.kld" 2> /dev/null
    "$LD" -shared -z notext --hash-style=sysv "$work/$m.kld" -o "$out/$m.ko"
done
# arm64 modules are ET_DYN too (link_elf); -fPIC gives GLOB_DAT and JUMP_SLOT, which the arm64 loader accepts (S+A).
mkdir -p "$out/aarch64"
for m in fbsd_demo fbsd_user; do
    "$CC" --target=aarch64-unknown-freebsd "${CFLAGS[@]}" -c "testdata/freebsd/src/$m.c" -o "$work/$m-arm64.o"
    "$LD" -r -d "$work/$m-arm64.o" -o "$work/$m-arm64.kld" 2> /dev/null
    "$LD" -shared -z notext --hash-style=sysv "$work/$m-arm64.kld" -o "$out/aarch64/$m.ko"
done
amd64=testdata/linker/freebsd-amd64
mkdir -p "$amd64"
for m in fbsd_demo fbsd_user; do
    "$CC" --target=x86_64-unknown-freebsd -ffreestanding -nostdinc -fno-common -fno-pic -O2 -mcmodel=kernel -mno-red-zone \
        -fno-asynchronous-unwind-tables -fno-unwind-tables -c "testdata/freebsd/src/$m.c" -o "$work/$m-amd64.o"
    "$LD" -r -d "$work/$m-amd64.o" -o "$amd64/$m.ko" 2> /dev/null
done
ls -l "$out"/*.ko "$out"/aarch64/*.ko "$amd64"/*.ko
