#!/usr/bin/env bash
# Reproduces the README "Results" runs: metadata, full and info models with 1 and 2 threads, the two I/O floors,
# and the phase profile, over one module tree.
# usage: bench/run-results.sh [TREE] [ITERATIONS]     (run from the repository root)
# Set WAIT_FOR_IDLE=1 to wait (up to 3 min per run) until the 1-minute load average drops below 1.0,
# since a shared machine makes wall-clock numbers meaningless.
set -euo pipefail
tree=${1:-/tmp/realtree/x/lib/modules/6.1.0-56-amd64/kernel}
iterations=${2:-10}
dotnet build -c Release bench/Bench.csproj -nologo -v quiet >/dev/null
bench=bench/bin/Release/net10.0/LkmKit.Bench.dll

wait_for_idle() {
    [[ "${WAIT_FOR_IDLE:-0}" == 1 ]] || return 0
    for _ in $(seq 36); do
        awk '{ exit !($1 < 1.0) }' /proc/loadavg && return 0
        sleep 5
    done
    echo "(gave up waiting for an idle machine)"
}

for model in metadata full info; do
    for threads in 1 2; do
        wait_for_idle
        echo "=== model $model, threads $threads"
        dotnet "$bench" read "$tree" --model "$model" --threads "$threads" --warmup 3 --iterations "$iterations" --json
    done
done

for model in io-open io-pread; do
    wait_for_idle
    echo "=== model $model, threads 1"
    dotnet "$bench" read "$tree" --model "$model" --warmup 2 --iterations "$iterations"
done

wait_for_idle
echo "=== phases"
dotnet "$bench" phases "$tree" --warmup 2 --iterations 5
