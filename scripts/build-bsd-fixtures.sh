#!/usr/bin/env bash
# Rebuild the FreeBSD and NetBSD kernel-module fixtures in testdata/freebsd/ and
# testdata/netbsd/ from the sources in testdata/{freebsd,netbsd}/src/.
#
# Toolchain (Debian 12 packages clang-14 and lld-14; no hand-made ELF):
#   FreeBSD amd64 : clang --target=x86_64-unknown-freebsd -c, then ld.lld -r -d (ET_REL, like kmod.mk)
#   FreeBSD i386  : clang --target=i386-unknown-freebsd -c, ld.lld -r -d -> NAME.kld (ET_REL, kept in
#                   testdata/freebsd/i386/kld/), then ld.lld -shared -z notext --hash-style=sysv
#                   (ld -Bshareable; TEXTREL) -> NAME.ko (ET_DYN)
#   NetBSD amd64/i386 : clang --target={x86_64,i386}-unknown-netbsd -c, then ld.lld -r -d -T kmodule.lds
#                   (the shape of NetBSD's bsd.kmodule.mk link); amd64 claims 10.0, i386 9.3.
# Usage: scripts/build-bsd-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-clang}
LD=${LD:-ld.lld}
CFLAGS=(-ffreestanding -nostdinc -fno-common -fno-pic -O2 -fno-asynchronous-unwind-tables -fno-unwind-tables -mno-red-zone)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fbsd() { # arch target
    local arch=$1 target=$2 out=testdata/freebsd/$1
    mkdir -p "$out"
    for m in fbsd_demo fbsd_user; do
        "$CC" --target="$target" "${CFLAGS[@]}" -c testdata/freebsd/src/$m.c -o "$work/$arch-$m.o"
        if [ "$arch" = amd64 ]; then
            "$LD" -r -d "$work/$arch-$m.o" -o "$out/$m.ko"
        else
            mkdir -p "$out/kld"
            "$LD" -r -d "$work/$arch-$m.o" -o "$out/kld/$m.kld"
            "$LD" -shared -z notext --hash-style=sysv "$out/kld/$m.kld" -o "$out/$m.ko"
        fi
    done
}

nbsd() { # arch target version
    local arch=$1 target=$2 version=$3 out=testdata/netbsd/$1
    mkdir -p "$out"
    for m in nbsd_base nbsd_demo nbsd_empty_req; do
        "$CC" --target="$target" "${CFLAGS[@]}" -D__NetBSD_Version__="$version" -c testdata/netbsd/src/$m.c -o "$work/$arch-$m.o"
        "$LD" -r -d -T testdata/netbsd/src/kmodule.lds "$work/$arch-$m.o" -o "$out/$m.kmod"
    done
    cp testdata/netbsd/src/nbsd_demo.prop "$out/nbsd_demo.prop"
}

fbsd amd64 x86_64-unknown-freebsd
fbsd i386 i386-unknown-freebsd
nbsd amd64 x86_64-unknown-netbsd 1000000000
nbsd i386 i386-unknown-netbsd 903000000
ls -l testdata/freebsd/*/ testdata/freebsd/i386/kld testdata/netbsd/*/
