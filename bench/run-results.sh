#!/usr/bin/env bash
# Reproduces the README "Results" table: metadata and full models with 1 and 2 threads over one module tree.
# usage: bench/run-results.sh [TREE] [ITERATIONS]     (run from the repository root)
# Set WAIT_FOR_IDLE=1 to wait (up to 10 min per run) until the 1-minute load average drops below 0.5,
# since a shared machine makes wall-clock numbers meaningless.
set -euo pipefail
tree=${1:-/tmp/realtree/x/lib/modules/6.1.0-56-amd64/kernel}
iterations=${2:-5}
dotnet build -c Release bench/Bench.csproj -nologo -v quiet >/dev/null
bench=bench/bin/Release/net10.0/LkmKit.Bench.dll

wait_for_idle() {
    [[ "${WAIT_FOR_IDLE:-0}" == 1 ]] || return 0
    for _ in $(seq 120); do
        awk '{ exit !($1 < 0.5) }' /proc/loadavg && return 0
        sleep 5
    done
}

for model in metadata full; do
    for threads in 1 2; do
        wait_for_idle
        echo "=== model $model, threads $threads"
        dotnet "$bench" read "$tree" --model "$model" --threads "$threads" --iterations "$iterations" --json
    done
done
