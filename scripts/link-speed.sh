#!/usr/bin/env bash
# Per-process speed: `lkm link` of one module against ld.lld linking the same module with the same section
# addresses and symbol values, over COUNT modules spread evenly over a tree.
#
# usage: scripts/link-speed.sh --symbols System.map [--count 20] [--runs 20] [--lkm CMD] DIR
#   CMD defaults to a native lkm from scripts/publish-native.sh (built if missing).
# Picks modules that need no other module (modinfo depends empty), sorted by path, every (N/COUNT)-th one. Each is
# first checked with scripts/link-oracle.sh (which also writes the ld.lld linker script: every allocated input
# section placed where lkm put it, every undefined symbol defined at lkm's value), then both commands are timed with
# hyperfine (-N, 3 warm-ups, RUNS runs). lkm reads the whole System.map; ld.lld gets only the symbols it needs.
# Prints one line per module (median ms each, ratio) and the medians over the modules.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
die() { echo "link-speed: $*" >&2; exit 2; }
count=20 runs=20 symbols="" dir="" LKM_OPT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --symbols) symbols=$2; shift 2 ;;
        --count) count=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --lkm) LKM_OPT=$2; shift 2 ;;
        *) dir=$1; shift ;;
    esac
done
[ -n "$symbols" ] && [ -d "$dir" ] || die "usage: scripts/link-speed.sh --symbols FILE [--count N] [--runs N] [--lkm CMD] DIR"
command -v hyperfine >/dev/null || die "hyperfine is needed (apt-get install hyperfine)"
command -v ld.lld >/dev/null || die "ld.lld is needed (apt-get install lld)"
if [ -z "$LKM_OPT" ] && [ -z "${LKM:-}" ]; then
    LKM=$(pwd)/artifacts/native/lkm/lkm
    [ -x "$LKM" ] || scripts/publish-native.sh >/dev/null
fi
# shellcheck source=scripts/lib/lkm-command.sh
source scripts/lib/lkm-command.sh
resolve_lkm_command
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mapfile -t all < <(find "$dir" -name '*.ko' | LC_ALL=C sort)
standalone=()
for m in "${all[@]}"; do
    [ -z "$("${LKM_CMD[@]}" info -F depends "$m" 2>/dev/null)" ] && standalone+=("$m")
done
step=$(( ${#standalone[@]} / count )); [ "$step" -ge 1 ] || step=1
picked=()
for ((i = 0; i < ${#standalone[@]} && ${#picked[@]} < count; i += step)); do picked+=("${standalone[$i]}"); done
echo "modules: ${#all[@]} in the tree, ${#standalone[@]} need no other module, ${#picked[@]} picked (every ${step}th)"
LKM="$LKM" scripts/link-oracle.sh --keep "$work/keep" --symbols "$symbols" "${picked[@]}" | tail -n 1

printf '%-28s %10s %12s %12s %8s\n' module relocs "lkm ms" "ld.lld ms" ratio
for m in "${picked[@]}"; do
    base=$(basename "$m"); k="$work/keep/$base"
    hyperfine -N -w 3 -r "$runs" --export-json "$work/$base.json" \
        "$LKM link $m --symbols $symbols -o $work/lkm.elf" \
        "ld.lld -O0 --no-relax -T $k/link.ld -o $work/lld.elf $m --noinhibit-exec" >/dev/null 2>&1
    relocs=$(head -n 1 "$k/lkm.map" | sed 's/.*(\([0-9]*\) relocation.*/\1/')
    python3 - "$work/$base.json" "$base" "$relocs" >> "$work/rows" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
lkm, lld = r[0]["median"] * 1000, r[1]["median"] * 1000
print(f"{sys.argv[2]:<28} {sys.argv[3]:>10} {lkm:12.2f} {lld:12.2f} {lkm / lld:8.2f}")
PY
    tail -n 1 "$work/rows"
done
python3 - "$work/rows" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
lkm = statistics.median(float(r[2]) for r in rows); lld = statistics.median(float(r[3]) for r in rows)
ratio = statistics.median(float(r[4]) for r in rows)
print(f"median over {len(rows)} modules: lkm {lkm:.2f} ms, ld.lld {lld:.2f} ms; median ratio lkm/ld.lld {ratio:.2f}; lkm faster on {sum(float(r[4]) < 1 for r in rows)}")
PY
