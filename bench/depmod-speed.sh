#!/usr/bin/env bash
# Side-by-side wall time of kmod's depmod and `lkm depmod` on a copy of a module tree (hyperfine).
#   bench/depmod-speed.sh [LKM] [BASEDIR] [KREL]
# LKM defaults to the NativeAOT build (scripts/publish-native.sh); pass "dotnet path/to/lkm.dll" for the managed one.
# Each tool writes into its own copy; both copies are read once first so the page cache is warm for both.
# The load average is printed before and after: on a shared machine the ratio is the figure that counts.
# CALLGRIND=1 also counts each tool's instructions with valgrind (slow, but repeatable whatever the load).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
lkm=${1:-$here/artifacts/native/lkm/lkm}
src_base=${2:-/work/cache/debian/tree}
krel=${3:-$(ls "$src_base/lib/modules" | head -1)}
work=$(mktemp -d /tmp/depmod-speed.XXXXXX)
trap 'rm -rf "$work"' EXIT
for who in kmod lkm; do
    mkdir -p "$work/$who/lib/modules"
    cp -r "$src_base/lib/modules/$krel" "$work/$who/lib/modules/"
    cat $(find "$work/$who" -name '*.ko*') > /dev/null
done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine --warmup 2 --runs "${RUNS:-10}" --export-json "$work/../depmod-speed.json" \
    -n depmod "depmod -b $work/kmod $krel" \
    -n lkm "$lkm depmod -b $work/lkm $krel"
for f in modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep modules.symbols modules.symbols.bin \
         modules.builtin.bin modules.builtin.alias.bin modules.devname; do
    cmp "$work/kmod/lib/modules/$krel/$f" "$work/lkm/lib/modules/$krel/$f"
done
echo "outputs identical"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${CALLGRIND:-0}" = 1 ]; then
    for who in kmod lkm; do
        tool=(depmod); [ $who = lkm ] && tool=($lkm depmod)
        refs=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "${tool[@]}" -b "$work/$who" "$krel" 2>&1 | sed -n 's/.*I *refs: *//p')
        echo "$who: $refs instructions"
    done
fi
