#!/usr/bin/env bash
# Rebuilds the Mach-O / kext fixtures under testdata/kext from testdata/kext/src with real LLVM tools
# (Debian bookworm: clang 14, lld 14 (ld64.lld-14), lld 16 (ld64.lld-16, for -fixup_chains), llvm 14 (llvm-lipo-14))
# and Python's plistlib.
# ld64.lld cannot emit MH_KEXT_BUNDLE (no -kext option), so the kext executables are MH_BUNDLE images linked
# with -bundle; the i386 slice is an MH_OBJECT, as in real fat x86_64+i386 kexts.
set -euo pipefail
cd "$(dirname "$0")/../testdata/kext"
CFLAGS="-ffreestanding -fno-builtin -fno-common -fno-stack-protector -mkernel -O1"
LD="ld64.lld-14 -bundle -undefined dynamic_lookup"
mkdir -p objects
for arch in x86_64 arm64 i386; do
  clang --target=$arch-apple-macos10.13 $CFLAGS -c src/demokext.c -o objects/demokext.$arch.o
done
clang --target=x86_64-apple-macos10.13 $CFLAGS -c src/plugin.c -o objects/plugin.x86_64.o
clang --target=arm64e-apple-macos11 $CFLAGS -c src/plugin.c -o objects/plugin.arm64e.o
$LD -arch x86_64 -platform_version macos 10.13 10.15 -o objects/demokext.x86_64.bundle objects/demokext.x86_64.o
# The arm64 slice uses chained fixups (LC_DYLD_CHAINED_FIXUPS, DYLD_CHAINED_PTR_64), which only lld 16 writes.
ld64.lld-16 -bundle -undefined dynamic_lookup -arch arm64 -platform_version macos 12.0 12.0 -fixup_chains \
  -o objects/demokext.arm64.bundle objects/demokext.arm64.o
$LD -arch x86_64 -platform_version macos 10.13 10.15 -o objects/plugin.x86_64.bundle objects/plugin.x86_64.o

# DemoKext.kext: fat executable (x86_64 bundle, arm64 bundle, i386 object), a plug-in with code and a codeless
# plug-in whose Info.plist is a binary plist (converted from src/DemoInjector.Info.plist by plistlib).
mkdir -p DemoKext.kext/Contents/MacOS DemoKext.kext/Contents/PlugIns/DemoPlugin.kext/Contents/MacOS \
  DemoKext.kext/Contents/PlugIns/DemoInjector.kext/Contents
llvm-lipo-14 -create objects/demokext.x86_64.bundle objects/demokext.arm64.bundle objects/demokext.i386.o \
  -output DemoKext.kext/Contents/MacOS/DemoKext
cp objects/plugin.x86_64.bundle DemoKext.kext/Contents/PlugIns/DemoPlugin.kext/Contents/MacOS/DemoPlugin
python3 - <<'PY'
import plistlib
with open("src/DemoInjector.Info.plist", "rb") as f:
    data = plistlib.load(f)
with open("DemoKext.kext/Contents/PlugIns/DemoInjector.kext/Contents/Info.plist", "wb") as f:
    plistlib.dump(data, f, fmt=plistlib.FMT_BINARY, sort_keys=False)
PY
# Codeless.kext and MissingExec.kext have only their (hand-written) Info.plist.
mkdir -p MissingExec.kext/Contents/MacOS
ls -la objects DemoKext.kext/Contents/MacOS
