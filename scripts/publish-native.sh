#!/usr/bin/env bash
# Publishes lkm as one native executable (NativeAOT): no .NET runtime needed to run it, and it starts in a few
# milliseconds, which is what a one-module `lkm link` or `lkm info` spends most of its time on otherwise.
#
# usage: scripts/publish-native.sh [OUTPUT_DIR]        (default: artifacts/native/lkm; prints the executable's path)
#
# The NativeAOT runtime pack for net10.0 is not in the package registry this project builds from; net9.0's is, so
# LkmNative=true compiles the same sources for net9.0 (see Directory.Build.props; its obj/bin go under
# artifacts/native/ and never touch the net10.0 build). Needs clang or gcc and zlib headers for the native link.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/native/lkm}
rid=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
dotnet publish src/Cli -c Release -r "$rid" -p:LkmNative=true -p:PublishAot=true -p:GenerateDocumentationFile=false \
    -p:DebugType=none -o "$out" >&2
echo "$out/lkm"
