#!/usr/bin/env bash
# Rebuild the FreeBSD i386 ET_DYN linker fixtures in testdata/linker/freebsd-dyn/ from the sources in its src/.
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
ls -l "$out"/*.ko
