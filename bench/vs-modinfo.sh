#!/usr/bin/env bash
# lkm against kmod's modinfo, side by side in one hyperfine run (bench/README.md has the figures and the targets):
#   one module:  lkm info M               vs  modinfo M                              (target: lkm <= 3x modinfo)
#   whole tree:  lkm info TREE            vs  find TREE -name '*.ko*' | xargs modinfo (target: lkm <= 1.0x)
#                lkm info FILE1..FILE4000 vs  modinfo FILE1..FILE4000               (target: lkm <= 1.0x)
# then the full parse (every section, symbol and relocation) on two threads with the bench harness
# (target: >= 2 GB/s).
#
# usage: bench/vs-modinfo.sh [TREE] [LKM]
#   TREE defaults to the Debian 6.1 tree (/work/cache/debian/tree/lib/modules/6.1.0-57-amd64), LKM to the native
#   lkm published by scripts/publish-native.sh (built if missing). Needs hyperfine and modinfo.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=${1:-/work/cache/debian/tree/lib/modules/6.1.0-57-amd64}
lkm=${2:-artifacts/native/lkm/lkm}
[ -x "$lkm" ] || lkm=$(scripts/publish-native.sh)
runs=${RUNS:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

one=$(find "$tree" -name 'e1000e.ko*' | head -1)
find "$tree" -name '*.ko*' | sort | head -4000 > "$work/files"
echo "tree: $tree ($(find "$tree" -name '*.ko*' | wc -l) modules), one module: $one, lkm: $lkm, load: $(cut -d' ' -f1-3 /proc/loadavg)"

hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$work/one.md" --export-json "$work/one.json" \
    -n "modinfo one" "modinfo $one" -n "lkm info one" "$lkm info $one"
hyperfine --warmup 1 --runs "$((runs / 2 > 2 ? runs / 2 : 3))" --export-markdown "$work/tree.md" --export-json "$work/tree.json" \
    -n "modinfo tree (find | xargs)" "find $tree -name '*.ko*' -print0 | xargs -0 modinfo > /dev/null" \
    -n "lkm info tree (directory)" "$lkm info $tree > /dev/null" \
    -n "modinfo 4000 args" "xargs -a $work/files modinfo > /dev/null" \
    -n "lkm info 4000 args" "xargs -a $work/files $lkm info > /dev/null"
cat "$work/one.md" "$work/tree.md"
# CPU time (user + system, all threads) per run: on a loaded machine it says more than wall time.
python3 - "$work/one.json" "$work/tree.json" <<'PY'
import json, sys
print("| Command | wall mean [s] | user [s] | system [s] | CPU [s] |\n|:---|---:|---:|---:|---:|")
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        print(f"| `{r['command']}` | {r['mean']:.4f} | {r['user']:.4f} | {r['system']:.4f} | {r['user'] + r['system']:.4f} |")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# Steady state: the JIT's tiers and profile-guided recompilation settle after about ten passes over the tree
# (bench/README.md, "Reading the numbers"), so the full parse is timed after WARMUP passes.
dotnet build -c Release bench/Bench.csproj -v q --nologo > /dev/null
dotnet bench/bin/Release/net10.0/LkmKit.Bench.dll read "$tree" --model full --threads 2 \
    --warmup "${WARMUP:-10}" --iterations "${ITERATIONS:-10}" --json | tee "$work/full.txt"
tail -n 1 "$work/full.txt" | python3 -c '
import json, sys
j = json.load(sys.stdin)
best, median = j["best"]["mb_per_s"], j["median"]["mb_per_s"]
print(f"full parse, 2 threads: median {median:.0f} MB/s, best {best:.0f} MB/s: target >= 2000 MB/s (median) "
      + ("met" if median >= 2000 else "not met"))
'
