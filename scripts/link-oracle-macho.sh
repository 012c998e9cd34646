#!/usr/bin/env bash
# Mach-O link oracle: links each x86_64/arm64 MH_OBJECT with ld64.lld into a non-PIE MH_EXECUTE at 0x1_0000_0000
# (classic dyld opcodes, so on-disk pointers hold their link-time values; -ignore_optimization_hints, because kxld
# does not apply clang's LOH rewrites) with every undefined symbol an absolute symbol, then links it with `lkm link`
# with every section at ld64.lld's address (--layout FILE) and the same symbol values, and compares every section
# with contents byte for byte. ld64.lld cannot place an image above 2^63 (-pagezero_size is read as signed).
#
# usage: scripts/link-oracle-macho.sh OBJECT...
# env:   LKM = the lkm command (default: dotnet run --no-build --project src/Cli --), LD64 (default ld64.lld-16)
# Prints one line per object and a total; exit 1 on any mismatch or failure.
set -uo pipefail
cd "$(dirname "$0")/.."
lkm=${LKM:-dotnet run --no-build --project src/Cli --}
ld64=${LD64:-ld64.lld-16}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0 total=0
for obj in "$@"; do
    name=$(basename "$obj")
    dir="$work/$name"
    mkdir -p "$dir"
    case $(llvm-objdump --macho --private-header "$obj" | awk '/MH_MAGIC/ {print $2; exit}') in
        X86_64) arch=x86_64 ;;
        ARM64) arch=arm64 ;;
        *) echo "$name: not an x86_64/arm64 Mach-O object"; failed=1; continue ;;
    esac
    i=0
    for sym in $(llvm-nm -u "$obj" | awk '{print $NF}' | sort -u); do
        i=$((i + 1)); printf '%x T %s\n' $((0x100800000 + i * 64)) "$sym"
    done > "$dir/kernel.syms"
    awk '{print ".globl " $3 "\n.set " $3 ", 0x" $1}' "$dir/kernel.syms" > "$dir/abs.s"
    entry=$(llvm-nm -g --defined-only "$obj" | awk '$2 == "T" {print $3; exit}')
    [ -n "$entry" ] || entry=$(llvm-nm -g --defined-only "$obj" | awk '{print $3; exit}')
    if ! llvm-mc -triple "$arch-apple-macos11" -filetype=obj "$dir/abs.s" -o "$dir/abs.o" \
        || ! $ld64 -arch "$arch" -platform_version macos 11.0 11.0 -execute -no_pie -pagezero_size 100000000 -e "$entry" \
             -no_fixup_chains -ignore_optimization_hints -o "$dir/image" "$obj" "$dir/abs.o" 2> "$dir/ld.err"; then
        echo "$name: ld64.lld failed: $(grep -v 'no_pie ignored' "$dir/ld.err" | head -n 3)"; failed=1; continue
    fi
    python3 - "$dir/image" > "$dir/layout" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
ncmds = struct.unpack_from("<I", d, 16)[0]; off = 32
for _ in range(ncmds):
    cmd, size = struct.unpack_from("<II", d, off)
    if cmd == 0x19:
        for i in range(struct.unpack_from("<I", d, off + 64)[0]):
            s = off + 72 + 80 * i
            sect, seg = (d[s:s + 16].rstrip(b"\0").decode(), d[s + 16:s + 32].rstrip(b"\0").decode())
            print(f"{seg},{sect} 0x{struct.unpack_from('<Q', d, s + 32)[0]:x}")
    off += size
PY
    # Keep only the sections the object has (ld64.lld adds __unwind_info, __got, …).
    llvm-objdump --macho --section-headers "$obj" > "$dir/objsects"
    python3 - "$obj" "$dir/layout" > "$dir/layout.obj" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
names = set(); ncmds = struct.unpack_from("<I", d, 16)[0]; off = 32
for _ in range(ncmds):
    cmd, size = struct.unpack_from("<II", d, off)
    if cmd == 0x19:
        for i in range(struct.unpack_from("<I", d, off + 64)[0]):
            s = off + 72 + 80 * i
            names.add(d[s + 16:s + 32].rstrip(b"\0").decode() + "," + d[s:s + 16].rstrip(b"\0").decode())
    off += size
for line in open(sys.argv[2]):
    if line.split()[0] in names: print(line, end="")
PY
    if ! $lkm link "$obj" --symbols "$dir/kernel.syms" --layout "$dir/layout.obj" -o "$dir/lkm.elf" 2> "$dir/lkm.err"; then
        echo "$name: lkm link failed: $(head -n 3 "$dir/lkm.err")"; failed=1; continue
    fi
    python3 - "$dir/image" "$dir/lkm.elf" "$name" <<'PY' || failed=1
import struct, sys
m = open(sys.argv[1], "rb").read(); e = open(sys.argv[2], "rb").read()
macho = {}; ncmds = struct.unpack_from("<I", m, 16)[0]; off = 32
for _ in range(ncmds):
    cmd, size = struct.unpack_from("<II", m, off)
    if cmd == 0x19:
        for i in range(struct.unpack_from("<I", m, off + 64)[0]):
            s = off + 72 + 80 * i
            name = m[s + 16:s + 32].rstrip(b"\0").decode() + "," + m[s:s + 16].rstrip(b"\0").decode()
            addr, sz, fo = struct.unpack_from("<QQI", m, s + 32)
            zerofill = (struct.unpack_from("<I", m, s + 64)[0] & 0xff) in (1, 0xc, 0x12)
            macho[name] = (addr, None if zerofill else m[fo:fo + sz])
    off += size
shoff, = struct.unpack_from("<Q", e, 40); shnum, shstrndx = struct.unpack_from("<HH", e, 60)
hdr = lambda i: struct.unpack_from("<IIQQQQIIQQ", e, shoff + 64 * i)
stroff = hdr(shstrndx)[4]
compared = mismatched = 0
for i in range(1, shnum):
    nm, typ, _, addr, fo, sz = hdr(i)[:6]
    name = e[stroff + nm:e.index(b"\0", stroff + nm)].decode()
    if name not in macho or typ == 8 or macho[name][1] is None: continue
    compared += 1
    if macho[name][0] != addr or macho[name][1] != e[fo:fo + sz]:
        mismatched += 1; print(f"  {name}: MISMATCH at 0x{addr:x}")
print(f"{sys.argv[3]}: sections={compared} mismatches={mismatched}")
sys.exit(1 if mismatched or compared == 0 else 0)
PY
    total=$((total + 1))
done
echo "TOTAL objects=$total failed=$failed"
exit $failed
