#!/bin/bash
# Side-by-side read throughput of two builds of the library, alternating runs so both see the same machine load.
#   bench/compare-builds.sh BASE_COMMIT [TREE]     (env: ROUNDS=3, MODEL=full, THREADS=2, ITERATIONS=8, WARMUP=3)
# Builds BASE_COMMIT in a temporary git worktree and the working tree as it is, both Release, then runs
# `LkmKit.Bench read TREE --model MODEL --threads THREADS` ROUNDS times each, alternately, and prints per run: the
# 1-minute load average before it, the best and median pass (wall time, MB/s), MB per CPU-second (user + sys) and the
# allocation per module. On a loaded machine compare MB per CPU-second, not wall time.
set -euo pipefail
base=${1:?usage: bench/compare-builds.sh BASE_COMMIT [TREE]}
tree=${2:-/lib/modules/$(uname -r)}
repo=$(git rev-parse --show-toplevel)
summary=$(cat <<'PY'
import json, sys
side, load = sys.argv[1], sys.argv[2]
j = json.load(sys.stdin)
b, m = j['best'], j['median']
print(f"{side:4} load {load:>5}  best {b['seconds']:.3f} s {b['mb_per_s']:6.0f} MB/s  median {m['seconds']:.3f} s {m['mb_per_s']:6.0f} MB/s  "
      f"MB/cpu-s best {b['mb_per_cpu_s']:5.0f} median {m['mb_per_cpu_s']:5.0f}  alloc {b['alloc_bytes_per_module'] / 1000:.1f} KB/module")
PY
)
work=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$repo" worktree add --detach "$work/base" "$base" >/dev/null
dotnet build -c Release "$work/base/bench/Bench.csproj" -v quiet -nologo >/dev/null
dotnet build -c Release "$repo/bench/Bench.csproj" -v quiet -nologo >/dev/null
for round in $(seq 1 "${ROUNDS:-3}"); do
    for side in base head; do
        if [ "$side" = base ]; then dll="$work/base/bench/bin/Release/net10.0/LkmKit.Bench.dll"; else dll="$repo/bench/bin/Release/net10.0/LkmKit.Bench.dll"; fi
        load=$(cut -d' ' -f1 /proc/loadavg)
        dotnet "$dll" read "$tree" --model "${MODEL:-full}" --threads "${THREADS:-2}" --warmup "${WARMUP:-3}" --iterations "${ITERATIONS:-8}" --json |
            tail -n 1 | python3 -c "$summary" "$side" "$load"
    done
done
