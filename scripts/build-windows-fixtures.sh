#!/usr/bin/env bash
# Rebuilds the Windows PE fixtures under testdata/windows/ from testdata/windows/src/ with mingw-w64.
# Needs: gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 (windres, import libraries libntoskrnl.a / libhal.a),
# osslsigncode and openssl (the signed copy, with a throw-away self-signed certificate).
# The outputs are reproducible (--no-insert-timestamp) except the signed copy's signature.
set -euo pipefail
cd "$(dirname "$0")/.."
src=testdata/windows/src
out=testdata/windows
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

common=(-Os -fno-stack-protector -ffreestanding -fno-asynchronous-unwind-tables -nostdlib -shared -s
        -Wl,--no-insert-timestamp -Wl,--dynamicbase -Wl,--enable-reloc-section)

build_driver() { # arch triple entry-symbol
    local arch=$1 triple=$2 entry=$3
    mkdir -p "$out/$arch"
    "$triple-windres" "$src/driver.rc" -O coff -o "$tmp/driver-$arch.res"
    "$triple-gcc" "${common[@]}" -I/usr/share/mingw-w64/include/ddk \
        -Wl,--subsystem,native -Wl,--entry,"$entry" -Wl,--image-base,0x10000 \
        -o "$out/$arch/lkmkit.sys" "$src/driver.c" "$tmp/driver-$arch.res" -lntoskrnl -lhal
}

build_driver x86_64 x86_64-w64-mingw32 DriverEntry
build_driver i386 i686-w64-mingw32 _DriverEntry@8

# Negative case: an ordinary user-mode DLL (Windows GUI subsystem, imports from kernel32.dll).
# It also imports from ordlib.dll by ordinal (NONAME) and by name, through an import library made by dlltool.
x86_64-w64-mingw32-dlltool -d "$src/ordlib.def" -l "$tmp/libordlib.a"
x86_64-w64-mingw32-gcc "${common[@]}" -Wl,--entry,DllMain -o "$out/x86_64/plain.dll" "$src/plain.c" -lkernel32 "$tmp/libordlib.a"

# Signed copy of the x64 driver: a throw-away self-signed certificate, Authenticode with SHA-256, no timestamp.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=LkmKit Test Signer/O=LkmKit Fixtures" \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
rm -f "$out/x86_64/lkmkit-signed.sys"
osslsigncode sign -certs "$tmp/cert.pem" -key "$tmp/key.pem" -h sha256 -n "LkmKit fixture driver" \
    -in "$out/x86_64/lkmkit.sys" -out "$out/x86_64/lkmkit-signed.sys" >/dev/null
