#!/usr/bin/env bash
# The long fuzz pass: mutates every fixture under testdata/ with a fixed seed on one thread, niced.
#   scripts/fuzz.sh [--inputs N] [--seed N] [--first N] [--findings DIR]
# Defaults: 5,000,000 inputs, the fuzzer's fixed seed, findings in artifacts/fuzz/ (each caught input as .bin + .txt).
# Copy a caught input into testdata/fuzz/ (its name says which fixture it came from) to keep it as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
if [[ " ${args[*]-} " != *" --inputs "* ]]; then
    args+=(--inputs 5000000)
fi
dotnet build -c Release tests/Fuzz >/dev/null
# One thread: the runtime's own helper threads aside, the fuzzer runs inputs one at a time.
DOTNET_GCHeapCount=1 DOTNET_gcServer=0 exec nice -n 10 dotnet tests/Fuzz/bin/Release/net10.0/LkmKit.Fuzz.dll "${args[@]}"
