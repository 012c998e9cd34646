#!/usr/bin/env bash
# Rebuilds the fixtures under testdata/mutation/ that catch the deliberate bugs of scripts/mutation-check.sh, with the
# toolchain of scripts/build-bsd-fixtures.sh (Debian 12 clang-14, lld-14).
#   freebsd-i386/fbsd_addend.ko : clang --target=i386-unknown-freebsd -c, ld.lld -r -d, ld.lld -shared -z notext
#                                 --hash-style=sysv (ET_DYN, as the FreeBSD i386 fixtures): metadata pointers into the
#                                 middle of global objects become R_386_32 with implicit addends.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-clang}
LD=${LD:-ld.lld}
CFLAGS=(-ffreestanding -nostdinc -fno-common -fno-pic -O2 -fno-asynchronous-unwind-tables -fno-unwind-tables -mno-red-zone)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$CC" --target=i386-unknown-freebsd "${CFLAGS[@]}" -c testdata/mutation/src/fbsd_addend.c -o "$work/fbsd_addend.o"
"$LD" -r -d "$work/fbsd_addend.o" -o "$work/fbsd_addend.kld"
"$LD" -shared -z notext --hash-style=sysv "$work/fbsd_addend.kld" -o testdata/mutation/freebsd-i386/fbsd_addend.ko
ls -l testdata/mutation/*/
