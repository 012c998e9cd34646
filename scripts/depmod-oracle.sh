#!/usr/bin/env bash
# Compares `lkm depmod` and `lkm modprobe --show-depends` with kmod's depmod/modprobe on a whole module tree:
# every output file byte for byte, for plain .ko and for .ko.xz / .ko.zst / .ko.gz copies of the tree, and the
# --show-depends output for every module name and every alias of modules.alias.
#
#   scripts/depmod-oracle.sh [BASEDIR] [KREL]      (default: /work/cache/debian/tree and its only kernel)
#
# Needs kmod (depmod, modprobe), xz, zstd, gzip and a built lkm (dotnet build src/Cli). Works in a temp dir.
# Debian's kmod 30 is built without zlib, so it ignores .ko.gz files: the .gz tree is compared against the plain
# tree's outputs with ".ko" renamed ".ko.gz" in every path (text files, and the .bin files through --dump).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src_base=${1:-/work/cache/debian/tree}
krel=${2:-$(ls "$src_base/lib/modules" | head -1)}
lkm=(dotnet "$here/src/Cli/bin/${CONFIGURATION:-Debug}/net10.0/lkm.dll")
for tool in depmod modprobe xz zstd gzip; do command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 2; }; done
work=$(mktemp -d /tmp/depmod-oracle.XXXXXX)
trap 'rm -rf "$work"' EXIT
files=(modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep modules.symbols modules.symbols.bin
       modules.builtin.bin modules.builtin.alias.bin modules.devname)
total_same=0 total_files=0 failed=0

make_tree() { # NAME COMPRESSOR(none|xz|zst|gz)
    local dir=$work/$1/lib/modules/$krel
    mkdir -p "$dir"
    cp -r "$src_base/lib/modules/$krel/kernel" "$dir/"
    for f in modules.order modules.builtin modules.builtin.modinfo; do
        [ -e "$src_base/lib/modules/$krel/$f" ] && cp "$src_base/lib/modules/$krel/$f" "$dir/"
    done
    case $2 in
        xz)  find "$dir/kernel" -name '*.ko' -print0 | xargs -0 -P"$(nproc)" -n 64 xz -0 -T1 ;;
        zst) find "$dir/kernel" -name '*.ko' -print0 | xargs -0 -P"$(nproc)" -n 64 zstd -q -1 --rm ;;
        gz)  find "$dir/kernel" -name '*.ko' -print0 | xargs -0 -P"$(nproc)" -n 64 gzip -1 ;;
    esac
    echo "$dir"
}

compare_tree() { # NAME COMPRESSOR
    local dir; dir=$(make_tree "$1" "$2")
    mkdir -p "$work/$1.ref"
    if [ "$2" != gz ]; then
        depmod -b "$work/$1" "$krel"
        for f in "${files[@]}"; do mv "$dir/$f" "$work/$1.ref/$f"; done
    fi
    "${lkm[@]}" depmod -b "$work/$1" "$krel"
    local same=0
    for f in "${files[@]}"; do
        local ref=$work/$1.ref/$f ours=$dir/$f
        if [ "$2" = gz ]; then
            ref=$work/plain.ref/$f
            case $f in
                *.bin) "${lkm[@]}" depmod --dump "$ref" | sed 's/\.ko\b/.ko.gz/g' > "$work/gz.ref.txt"
                       "${lkm[@]}" depmod --dump "$ours" > "$work/gz.ours.txt"
                       ref=$work/gz.ref.txt ours=$work/gz.ours.txt ;;
                *)     sed 's/\.ko\b/.ko.gz/g' "$work/plain.ref/$f" > "$work/gz.ref.txt"; ref=$work/gz.ref.txt ;;
            esac
        fi
        if cmp -s "$ref" "$ours"; then same=$((same + 1)); else echo "DIFFERENT ($1): $f" >&2; failed=1; fi
    done
    echo "$1: $same/${#files[@]} files identical"
    total_same=$((total_same + same)); total_files=$((total_files + ${#files[@]}))
}

compare_tree plain none
compare_tree xz xz
compare_tree zst zst
compare_tree gz gz

# modprobe --show-depends for every module name and every alias, on the plain tree (indexes from lkm == depmod's).
base=$work/plain
dir=$base/lib/modules/$krel
sed 's/:.*//; s#.*/##; s/\..*//; s/-/_/g' "$dir/modules.dep" > "$work/names"
sed -n 's/^alias \([^ ]*\) .*/\1/p' "$dir/modules.alias" | sort -u > "$work/aliases"
for list in names aliases; do
    n=$(wc -l < "$work/$list")
    xargs -a "$work/$list" -d '\n' modprobe --show-depends -d "$base" -S "$krel" -a > "$work/$list.kmod" 2> "$work/$list.kmod.err" || true
    xargs -a "$work/$list" -d '\n' "${lkm[@]}" modprobe --show-depends -d "$base" -S "$krel" -a > "$work/$list.lkm" 2> "$work/$list.lkm.err" || true
    sed -i 's/^modprobe: /lkm: /' "$work/$list.kmod.err"
    if cmp -s "$work/$list.kmod" "$work/$list.lkm" && cmp -s "$work/$list.kmod.err" "$work/$list.lkm.err"; then
        echo "modprobe --show-depends: $n $list, output identical ($(wc -l < "$work/$list.kmod") lines, $(wc -l < "$work/$list.kmod.err") not-found warnings)"
    else
        echo "modprobe --show-depends: $n $list, OUTPUT DIFFERS:" >&2; diff "$work/$list.kmod" "$work/$list.lkm" | head -20 >&2; diff "$work/$list.kmod.err" "$work/$list.lkm.err" | head >&2; failed=1
    fi
done

# Options on the plain tree: each run by both tools, stdout, stderr (program name aside) and the ten files compared.
#  -w: kmod's duplicate-alias warnings; -v: the "needs" lines; -P _ -e -E Module.symvers (when the Debian
#  Module.symvers is there); FILE mode with every 7th module plus one given through a path outside the tree.
compare_run() { # NAME ARGS... (the tree is $base; outputs reset before each tool)
    local name=$1; shift
    for who in kmod lkm; do
        for f in "${files[@]}"; do rm -f "$dir/$f"; done
        local tool=(depmod); [ $who = lkm ] && tool=("${lkm[@]}" depmod)
        "${tool[@]}" "$@" > "$work/run.$who.out" 2> "$work/run.$who.err"; echo $? > "$work/run.$who.code"
        sed -i 's/^lkm: /depmod: /; s/ ([^)]*)$//' "$work/run.$who.err"
        mkdir -p "$work/run.$who"; rm -f "$work/run.$who"/*
        for f in "${files[@]}"; do [ -e "$dir/$f" ] && cp "$dir/$f" "$work/run.$who/"; done
    done
    if cmp -s "$work/run.kmod.code" "$work/run.lkm.code" && cmp -s "$work/run.kmod.out" "$work/run.lkm.out" \
        && cmp -s "$work/run.kmod.err" "$work/run.lkm.err" && diff -r "$work/run.kmod" "$work/run.lkm" > /dev/null; then
        echo "depmod $name: identical ($(ls "$work/run.kmod" | wc -l) files, $(wc -l < "$work/run.kmod.err") stderr lines, $(wc -l < "$work/run.kmod.out") stdout lines)"
    else
        echo "depmod $name: DIFFERENT" >&2; diff "$work/run.kmod.err" "$work/run.lkm.err" | head >&2; failed=1
    fi
}
compare_run "-w" -w -b "$base" "$krel"
compare_run "-v" -v -b "$base" "$krel"
symvers=/work/cache/debian/headers/usr/src/linux-headers-$krel/Module.symvers
[ -e "$symvers" ] && compare_run "-P _ -e -E" -P _ -e -E "$symvers" -b "$base" "$krel"
mkdir -p "$work/outside"; some=$(find "$dir/kernel" -name '*.ko' | sort | awk 'NR % 7 == 0')
cp "$(echo "$some" | head -1)" "$work/outside/"; some=$(echo "$some" | tail -n +2; echo "$work/outside/"*.ko)
compare_run "FILE... ($(echo "$some" | wc -l) modules)" -b "$base" "$krel" $some

echo "total: $total_same/$total_files index files identical"
exit $failed
