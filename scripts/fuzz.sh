#!/usr/bin/env bash
# The long fuzz pass: mutates every fixture under testdata/ with a fixed seed on one thread, niced.
#   scripts/fuzz.sh [--inputs N] [--seed N] [--first N] [--findings DIR]
# Defaults: 5,000,000 inputs, the fuzzer's fixed seed, findings in artifacts/fuzz/ (each caught input as .bin + .txt).
# Every 50,000 inputs a progress line goes to stderr and the figures so far to FINDINGS/checkpoint.txt (with the
# --first that resumes the run), so a stopped run still counts. Copy a caught input into testdata/fuzz/ (its name says
# which fixture it came from) to keep it as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
if [[ " ${args[*]-} " != *" --inputs "* ]]; then
    args+=(--inputs 5000000)
fi
dotnet build -c Release tests/Fuzz >/dev/null
# Bundle seeds are rewritten on disk for every input: keep the scratch copies in memory when /dev/shm exists
# (on a disk mounted with `discard`, each rewrite waits for the device).
if [[ -d /dev/shm && -w /dev/shm ]]; then
    export TMPDIR=/dev/shm
fi
# One thread: the runtime's own helper threads aside, the fuzzer runs inputs one at a time. PGO instrumentation only
# costs in a run whose hot paths are the readers' error exits.
DOTNET_GCHeapCount=1 DOTNET_gcServer=0 DOTNET_TieredPGO=0 \
    exec nice -n 19 dotnet tests/Fuzz/bin/Release/net10.0/LkmKit.Fuzz.dll "${args[@]}"
