#!/usr/bin/env bash
# Link oracle: links each MODULE with `lkm link`, then links the same module with `ld.lld -O0 --no-relax` through a
# generated linker script that places every allocated input section at the address lkm chose and defines every
# undefined symbol at the address lkm used, and compares every allocated section byte for byte.
#
# usage: scripts/link-oracle.sh [--layout L] [--base ADDR] [--keep DIR] --symbols FILE [--symbols FILE...] MODULE...
# env:   LKM = the lkm command (default: dotnet run --no-build --project src/Cli --)
# Prints one line per module and a total: modules, sections compared, relocations, mismatches. Exit 1 on any mismatch.
# Sections whose name occurs twice in a module cannot be told apart in a linker script: they are counted as skipped.
# ld.lld replaces .note.gnu.build-id/.note.gnu.property with its own: those (never relocated) are compared with the input.
# The arm64 loader grows .plt/.init.plt (module PLTs); those are compared over the bytes ld.lld has.
set -uo pipefail
cd "$(dirname "$0")/.."
lkm=${LKM:-dotnet run --no-build --project src/Cli --}
args=()
keep=""
modules=()
while [ $# -gt 0 ]; do
    case "$1" in
        --symbols|--layout|--base) args+=("$1" "$2"); shift 2 ;;
        --allow-undefined) args+=("$1"); shift ;;
        --keep) keep=$2; shift 2 ;;
        *) modules+=("$1"); shift ;;
    esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
total_modules=0 total_sections=0 total_relocs=0 total_mismatch=0 total_skipped=0 failed=0
for module in "${modules[@]}"; do
    base=$(basename "$module")
    dir="$work/$base"
    mkdir -p "$dir"
    input="$module"
    case "$module" in
        *.xz) xz -dc "$module" > "$dir/in.ko"; input="$dir/in.ko" ;;
        *.zst) zstd -qdc "$module" > "$dir/in.ko"; input="$dir/in.ko" ;;
        *.gz) gzip -dc "$module" > "$dir/in.ko"; input="$dir/in.ko" ;;
    esac
    if ! $lkm link "$input" "${args[@]}" -o "$dir/lkm.elf" --map "$dir/lkm.map" 2> "$dir/lkm.err"; then
        echo "$base: lkm link failed: $(head -n 3 "$dir/lkm.err")"
        failed=$((failed + 1))
        continue
    fi
    if ! readelf -SW "$input" > "$dir/sections.txt" 2> "$dir/readelf.err"; then
        echo "$base: readelf failed: $(head -n 3 "$dir/readelf.err")"
        failed=$((failed + 1))
        continue
    fi
    python3 - "$dir" "$input" <<'PY' || { echo "$base: writing the ld.lld script failed"; failed=$((failed + 1)); continue; }
import re, sys
d, inp = sys.argv[1], sys.argv[2]
lines = open(f"{d}/lkm.map").read().split("\n")
sections, symbols, part = [], [], None
for line in lines:
    if line.startswith("# sections"): part = "s"; continue
    if line.startswith("# symbols"): part = "y"; continue
    if not line or line.startswith("#"): continue
    f = line.split()
    if part == "s": sections.append((f[0], f[1]))
    elif part == "y" and len(f) >= 3 and f[2].startswith("["): symbols.append((f[1], f[0]))
names = [n for n, _ in sections]
alloc = set()
for l in open(f"{d}/sections.txt"):
    m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S*)", l)
    if m and "A" in m.group(2) and not re.match(r"\d", m.group(2)): alloc.add(m.group(1))
out = ["SECTIONS {"]
for i, (n, a) in enumerate(sections):
    if n == "COMMON" or names.count(n) > 1: continue
    out.append(f"  .lkmo_{i} {a} : {{ KEEP({inp}({n})) }}")
out.append("  /DISCARD/ : { " + " ".join(f"*({n})" for n in sorted(alloc - set(names))) + " }")
out.append("}")
for n, a in symbols: out.append(f"{n} = {a};")
open(f"{d}/link.ld", "w").write("\n".join(out) + "\n")
PY
    if ! ld.lld -O0 --no-relax -T "$dir/link.ld" -o "$dir/lld.elf" "$input" --noinhibit-exec 2> "$dir/lld.err"; then
        echo "$base: ld.lld failed: $(head -n 3 "$dir/lld.err")"
        failed=$((failed + 1))
        continue
    fi
    result=$(python3 - "$dir" "$input" <<'PY'
import struct, sys
d = sys.argv[1]
def sections(path):
    b = open(path, "rb").read()
    is64 = b[4] == 2
    if is64: shoff, = struct.unpack_from("<Q", b, 40); shent, shnum, shstr = struct.unpack_from("<HHH", b, 58)
    else: shoff, = struct.unpack_from("<I", b, 32); shent, shnum, shstr = struct.unpack_from("<HHH", b, 46)
    hs = []
    for i in range(shnum):
        o = shoff + i * shent
        if is64: name, typ, flags, addr, off, size = struct.unpack_from("<IIQQQQ", b, o)
        else: name, typ, flags, addr, off, size = struct.unpack_from("<IIIIII", b, o)
        hs.append((name, typ, addr, off, size))
    so = hs[shstr][3]
    res = {}
    for name, typ, addr, off, size in hs:
        n = b[so + name: b.index(b"\0", so + name)].decode()
        res.setdefault(n, []).append((addr, b"" if typ == 8 else b[off:off + size]))
    return res
ours, lld, inp = sections(f"{d}/lkm.elf"), sections(f"{d}/lld.elf"), sections(sys.argv[2])
lines = open(f"{d}/lkm.map").read().split("\n")
relocs = int(lines[0].split("(")[1].split()[0])
secs, part = [], None
for line in lines:
    if line.startswith("# sections"): part = "s"; continue
    if line.startswith("# symbols"): part = None; continue
    if part == "s" and line: f = line.split(); secs.append((f[0], int(f[1], 16)))
names = [n for n, _ in secs]
compared = mismatch = skipped = 0
for i, (n, a) in enumerate(secs):
    if n == "COMMON" or names.count(n) > 1: skipped += 1; continue
    mine = [x for x in ours.get(n, []) if x[0] == a]
    theirs = lld.get(f".lkmo_{i}")
    if not theirs and n.startswith(".note.gnu.") and n in inp:
        theirs = [(a, inp[n][0][1])]  # ld.lld synthesises its own build-id/property notes; the input bytes are the reference
    if not mine or not theirs: mismatch += 1; print(f"  missing {n}", file=sys.stderr); continue
    (ta, tb), (ma, mb) = theirs[0], mine[0]
    if ta != a: mismatch += 1; print(f"  {n}: ld.lld placed it at {ta:#x}", file=sys.stderr); continue
    if len(mb) != len(tb) and n not in (".plt", ".init.plt"): mismatch += 1; print(f"  {n}: size {len(mb)} vs {len(tb)}", file=sys.stderr); continue
    k = min(len(mb), len(tb))
    if mb[:k] != tb[:k]:
        mismatch += 1
        first = next(j for j in range(k) if mb[j] != tb[j])
        print(f"  {n}: differs at +{first:#x}", file=sys.stderr)
    compared += 1
print(compared, relocs, mismatch, skipped)
PY
)
    if [ $? -ne 0 ] || [ -z "$result" ]; then
        echo "$base: the comparison failed"
        failed=$((failed + 1))
        continue
    fi
    read -r c r m s <<<"$result"
    echo "$base: sections=$c relocations=$r mismatches=$m skipped=$s"
    total_modules=$((total_modules + 1)); total_sections=$((total_sections + c)); total_relocs=$((total_relocs + r))
    total_mismatch=$((total_mismatch + m)); total_skipped=$((total_skipped + s))
    [ -n "$keep" ] && mkdir -p "$keep" && cp -r "$dir" "$keep/"
done
echo "TOTAL modules=$total_modules sections=$total_sections relocations=$total_relocs mismatches=$total_mismatch skipped=$total_skipped failed=$failed"
[ "$total_mismatch" -eq 0 ] && [ "$failed" -eq 0 ]
