#!/usr/bin/env bash
# Packs the lkm dotnet tool as .NET 10 RID-specific tool packages into OUTPUT_DIR: the pointer package LkmKit.Cli
# (what `dotnet tool install LkmKit.Cli` asks for), the NativeAOT package LkmKit.Cli.linux-x64 (what it installs on
# linux-x64) and the framework-dependent LkmKit.Cli.any (every other platform with the .NET 10 runtime).
#
# usage: scripts/pack-tool.sh [OUTPUT_DIR] [MSBUILD_ARGS...]     (default: artifacts/tool)
# e.g.   scripts/pack-tool.sh artifacts/tool -p:Version=0.2.0
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/tool}
shift || true
dotnet pack src/Cli -c Release -o "$out" --nologo "$@"
dotnet pack src/Cli -c Release -r linux-x64 -o "$out" --nologo "$@"
dotnet pack src/Cli -c Release -r any -o "$out" --nologo "$@"
ls "$out"/LkmKit.Cli*.nupkg
