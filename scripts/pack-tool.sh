#!/usr/bin/env bash
# Packs the lkm dotnet tool as .NET 10 RID-specific tool packages into OUTPUT_DIR: the pointer package LkmKit.Cli
# (what `dotnet tool install LkmKit.Cli` asks for), the NativeAOT packages LkmKit.Cli.linux-x64 and
# LkmKit.Cli.linux-arm64 (what it installs on those machines) and the framework-dependent LkmKit.Cli.any (every other
# platform with the .NET 10 runtime). Each native executable is checked: its ELF machine must be the RID's, and it must
# run `lkm info` on a fixture (an arm64 one under qemu-aarch64 when this machine is not arm64 and qemu is installed).
#
# usage: [RIDS="linux-x64 linux-arm64 any"] scripts/pack-tool.sh [OUTPUT_DIR] [MSBUILD_ARGS...]  (default: artifacts/tool)
# e.g.   scripts/pack-tool.sh artifacts/tool -p:Version=0.2.0
#        RIDS="linux-x64 any" scripts/pack-tool.sh    (what the tool-package test does: no cross toolchain needed)
#
# Cross-linking linux-arm64 on an x64 Debian/Ubuntu machine needs clang, lld and the arm64 C runtime:
#   apt-get install clang lld libc6-dev-arm64-cross libgcc-12-dev-arm64-cross   (+ qemu-user-static to run the check)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/tool}
shift || true
rids=${RIDS:-linux-x64 linux-arm64 any}
host=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)

machine_of() { case "$1" in linux-x64) echo "X86-64" ;; linux-arm64) echo "AArch64" ;; esac; }

check_native() { # RID PACKAGE: unpack the executable, check its ELF machine, run it
    local rid=$1 package=$2 dir runner=()
    dir=$(mktemp -d)
    python3 -m zipfile -e "$package" "$dir"
    local exe
    exe=$(find "$dir/tools" -type f -name lkm | head -1)
    [ -n "$exe" ] || { echo "pack-tool: $package holds no native lkm" >&2; return 1; }
    chmod +x "$exe"
    local want
    want=$(machine_of "$rid")
    readelf -h "$exe" | grep -q "Machine: *.*$want" || { echo "pack-tool: $exe is not an $want executable" >&2; return 1; }
    if [ "$rid" != "$host" ]; then
        if [ "$rid" = linux-arm64 ] && command -v qemu-aarch64-static >/dev/null; then
            runner=(qemu-aarch64-static -L /usr/aarch64-linux-gnu)
        else
            echo "pack-tool: $rid executable checked by its header only (no way to run it here)"
            rm -rf "$dir"
            return 0
        fi
    fi
    local name
    name=$("${runner[@]}" "$exe" info -F name testdata/linux/x86_64/lkmdemo_core.ko)
    [ "$name" = lkmdemo_core ] || { echo "pack-tool: the $rid lkm printed '$name'" >&2; return 1; }
    echo "pack-tool: $rid lkm ($want) ran: lkm info -F name -> $name ${runner[*]:+(under ${runner[0]})}"
    rm -rf "$dir"
}

dotnet pack src/Cli -c Release -o "$out" --nologo "$@"
for rid in $rids; do
    dotnet pack src/Cli -c Release -r "$rid" -o "$out" --nologo "$@"
    if [ "$rid" != any ]; then
        check_native "$rid" "$(ls -t "$out"/LkmKit.Cli."$rid".*.nupkg | head -1)"
    fi
done
ls "$out"/LkmKit.Cli*.nupkg
