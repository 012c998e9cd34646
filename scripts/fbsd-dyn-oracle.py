#!/usr/bin/env python3
"""Independent oracle for linking a FreeBSD ET_DYN module (.ko, i386 or arm64) at a load address, as link_elf.c does.

usage: scripts/fbsd-dyn-oracle.py MODULE LOAD_ADDRESS SYMBOLS_FILE...

Reads the module only through `readelf` (program headers, dynamic relocations, .dynsym) and the raw file bytes (the
implicit i386 REL addends; arm64 RELA addends come from readelf -r), never through LkmKit. The relocation base is B = LOAD_ADDRESS - trunc_page(first PT_LOAD
p_vaddr). Symbols follow elf_lookup: a local symbol is B + st_value; a global one the module defines (Ndx not UND)
is B + st_value; any other is looked up in the SYMBOLS_FILEs (System.map lines "ADDRESS TYPE NAME"; the first file
that names it wins), an unresolved weak one is 0. Types follow sys/i386/i386/elf_machdep.c: NONE, 32 (S+A),
PC32 (S+A-P), GLOB_DAT (S), RELATIVE (B+A); and sys/arm64/arm64/elf_machdep.c: NONE, ABS64, GLOB_DAT and JUMP_SLOT
(S+A), RELATIVE (B+A); anything else is reported as unsupported.

Prints one line per relocation: "0xPLACE 0xVALUE TYPE" (PLACE = B + r_offset, VALUE the 32- or 64-bit word the place
must hold), or "0xPLACE UNSUPPORTED TYPE" / "0xPLACE UNDEFINED NAME"; then "TOTAL relocations=N base=0xB".
"""
import re
import struct
import subprocess
import sys


def readelf(*args):
    return subprocess.run(["readelf", *args], check=True, capture_output=True, text=True).stdout


def main():
    module, load, symbol_files = sys.argv[1], int(sys.argv[2], 0), sys.argv[3:]
    data = open(module, "rb").read()

    loads = []
    for line in readelf("-lW", module).splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            loads.append((int(f[1], 16), int(f[2], 16), int(f[4], 16), int(f[5], 16)))
    base = load - (loads[0][1] & ~0xFFF)

    def file_word(vaddr):
        for offset, start, filesz, _ in loads:
            if start <= vaddr and vaddr + 4 <= start + filesz:
                return struct.unpack_from("<I", data, offset + vaddr - start)[0]
        raise SystemExit(f"address 0x{vaddr:x} is in no PT_LOAD segment's file bytes")

    dynsym = {}
    in_dynsym = False
    for line in readelf("--dyn-syms", "-W", module).splitlines():
        if line.startswith("Symbol table '.dynsym'"):
            in_dynsym = True
            continue
        m = re.match(r"\s*(\d+):\s+([0-9a-f]+)\s+\S+\s+(\S+)\s+(\S+)\s+\S+\s+(\S+)\s*(\S*)", line)
        if in_dynsym and m:
            dynsym[int(m.group(1))] = (int(m.group(2), 16), m.group(4), m.group(5), m.group(6).split("@")[0])

    kernel = {}
    for path in symbol_files:
        for line in open(path):
            f = line.split()
            if len(f) >= 3:
                kernel.setdefault(f[2], int(f[0], 16))

    def symbol(index):
        value, bind, ndx, name = dynsym[index]
        if bind == "LOCAL" or ndx != "UND":
            return base + value
        if name in kernel:
            return kernel[name]
        return 0 if bind == "WEAK" else None

    arm64 = "AArch64" in readelf("-hW", module)
    width, mask = (16, (1 << 64) - 1) if arm64 else (8, 0xFFFFFFFF)
    count = 0
    for line in readelf("-rW", module).splitlines():
        m = re.match(r"([0-9a-f]{%d})\s+([0-9a-f]{%d})\s+(R_(?:386|AARCH64)_\S+)\s*(.*)$" % (width, width), line)
        if not m:
            continue
        count += 1
        offset, info, rtype, rest = int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4)
        symidx = info >> 32 if arm64 else info >> 8
        place = base + offset
        if arm64:
            addend = re.search(r"([+-]) ([0-9a-f]+)$", rest) if symidx else re.match(r"(-?)([0-9a-f]+)$", rest.strip())
            a = (-1 if addend.group(1) == "-" else 1) * int(addend.group(2), 16)
        if rtype in ("R_386_NONE", "R_AARCH64_NONE"):
            continue
        if rtype == "R_386_RELATIVE":
            value = base + file_word(offset)
        elif rtype == "R_AARCH64_RELATIVE":
            value = base + a
        elif rtype in ("R_386_32", "R_386_PC32", "R_386_GLOB_DAT", "R_AARCH64_ABS64", "R_AARCH64_GLOB_DAT", "R_AARCH64_JUMP_SLOT"):
            s = symbol(symidx)
            if s is None:
                print(f"0x{place:x} UNDEFINED {dynsym[symidx][3]}")
                continue
            if arm64:
                value = s + a
            else:
                value = {"R_386_32": s + file_word(offset), "R_386_PC32": s + file_word(offset) - place, "R_386_GLOB_DAT": s}[rtype]
        else:
            print(f"0x{place:x} UNSUPPORTED {rtype}")
            continue
        print(f"0x{place:x} 0x{value & mask:0{width}x} {rtype}")
    print(f"TOTAL relocations={count} base=0x{base:x}")


main()
