#!/usr/bin/env bash
# Publishes lkm as one native executable (NativeAOT) for this machine: no .NET runtime needed to run it, and it starts
# in a few milliseconds. The same as `dotnet publish src/Cli -c Release`, into a folder of your choice.
#
# usage: scripts/publish-native.sh [OUTPUT_DIR]        (default: artifacts/native/lkm; prints the executable's path)
# Needs clang or gcc and the zlib headers for the native link.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/native/lkm}
dotnet publish src/Cli -c Release -p:DebugType=none -o "$out" >&2
echo "$out/lkm"
