#!/usr/bin/env bash
# Loads every module of a real Linux module tree into one model kernel, one after another in modules.order order
# (each with what modprobe would load first), and reports how many load, why each refused one was refused, and the
# rate. Defaults: the Debian 6.1.0-57-amd64 tree, its System.map, Module.symvers and vmlinuz (built-in keys).
#
#   scripts/load-tree.sh [--set NAME=VALUE]... [--modules DIR] [--symbols System.map] [--symvers Module.symvers] [--kernel vmlinuz] [--release R] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
D=/work/cache/debian
release=6.1.0-57-amd64
modules=$D/tree/lib/modules/$release
symbols=$D/dbg/usr/lib/debug/boot/System.map-$release
symvers=$D/headers/usr/src/linux-headers-$release/Module.symvers
kernel=$D/tree/boot/vmlinuz-$release
out=$(mktemp -d /tmp/lkm-load-tree.XXXXXX)
sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --modules) modules=$2; shift 2 ;; --symbols) symbols=$2; shift 2 ;; --symvers) symvers=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;; --set) sets+=(--set "$2"); shift 2 ;; --release) release=$2; shift 2 ;; --out) out=$2; mkdir -p "$out"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
for f in "$modules/modules.order" "$symbols" "$symvers" "$kernel"; do
  [ -e "$f" ] || { echo "load-tree: $f is missing" >&2; exit 2; }
done

dotnet build -c Release src/Cli -v q -nologo >/dev/null
lkm=src/Cli/bin/Release/net10.0/lkm
"$lkm" kernel new --os linux --release "$release" --modules "$modules" --symbols "$symbols" --symvers "$symvers" \
  --kernel "$kernel" "${sets[@]}" -o "$out/state.json" >/dev/null
sed 's|.*/||; s|\.ko.*$||' "$modules/modules.order" > "$out/names"
count=$(wc -l < "$out/names")
set +e
TIMEFORMAT='%R %U %S'
{ time xargs -a "$out/names" "$lkm" load --state "$out/state.json" --json > "$out/events.jsonl"; } 2> "$out/time"
status=$?
set -e
read -r real user sys < <(tail -1 "$out/time")
[ "$status" -le 1 ] || { echo "load-tree: lkm load failed with status $status" >&2; exit 1; }
python3 - "$out/events.jsonl" "$count" "$real" "$user" "$sys" "$out/state.json" <<'PY'
import collections, json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
count, real, user, system = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
state = json.load(open(sys.argv[6]))
loads = [e for e in events if e["event"] == "load"]
loaded = [e for e in loads if e["result"] == "loaded"]
refused = [e for e in loads if e["result"] == "refused"]
print(f"modules in modules.order: {count}")
print(f"loaded: {len(loaded)}   refused: {len(refused)}   already loaded (as a dependency): {sum(e['result'] == 'already-loaded' for e in loads)}")
print(f"modules in the model kernel: {len(state['modules'])}   kernel taint: '{state.get('taint', '')}'")
print(f"time: {real:.2f} s wall, {user + system:.2f} s CPU   {len(loaded) / real:.0f} modules/s wall, {len(loaded) / (user + system):.0f} modules/s per CPU second")
taints = collections.Counter(e.get("taint", "") for e in loaded)
print("module taints:", ", ".join(f"{t or '-'}: {n}" for t, n in taints.most_common()))
print("refusals by errno:", ", ".join(f"{k}: {n}" for k, n in collections.Counter(e["errno"] for e in refused).most_common()))
for e in refused:
    print(f"  {e['module']}: {e['errno']}: {e['message']}")
PY
echo "events: $out/events.jsonl"
