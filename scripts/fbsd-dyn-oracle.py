#!/usr/bin/env python3
"""Independent oracle for linking a FreeBSD i386 ET_DYN module (.ko) at a load address, the way link_elf.c does.

usage: scripts/fbsd-dyn-oracle.py MODULE LOAD_ADDRESS SYMBOLS_FILE...

Reads the module only through `readelf` (program headers, dynamic relocations, .dynsym) and the raw file bytes (the
implicit REL addends), never through LkmKit. The relocation base is B = LOAD_ADDRESS - trunc_page(first PT_LOAD
p_vaddr). Symbols follow elf_lookup: a local symbol is B + st_value; a global one the module defines (Ndx not UND)
is B + st_value; any other is looked up in the SYMBOLS_FILEs (System.map lines "ADDRESS TYPE NAME"; the first file
that names it wins), an unresolved weak one is 0. Types follow sys/i386/i386/elf_machdep.c: NONE, 32 (S+A),
PC32 (S+A-P), GLOB_DAT (S), RELATIVE (B+A); anything else is reported as unsupported.

Prints one line per relocation: "0xPLACE 0xVALUE TYPE" (PLACE = B + r_offset, VALUE the 32-bit word the place must
hold), or "0xPLACE UNSUPPORTED TYPE" / "0xPLACE UNDEFINED NAME"; then "TOTAL relocations=N base=0xB".
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

    count = 0
    for line in readelf("-rW", module).splitlines():
        m = re.match(r"([0-9a-f]{8})\s+([0-9a-f]{8})\s+(R_386_\S+)", line)
        if not m:
            continue
        count += 1
        offset, info, rtype = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
        place = base + offset
        if rtype == "R_386_NONE":
            continue
        if rtype == "R_386_RELATIVE":
            value = base + file_word(offset)
        elif rtype in ("R_386_32", "R_386_PC32", "R_386_GLOB_DAT"):
            s = symbol(info >> 8)
            if s is None:
                print(f"0x{place:08x} UNDEFINED {dynsym[info >> 8][3]}")
                continue
            value = {"R_386_32": s + file_word(offset), "R_386_PC32": s + file_word(offset) - place, "R_386_GLOB_DAT": s}[rtype]
        else:
            print(f"0x{place:08x} UNSUPPORTED {rtype}")
            continue
        print(f"0x{place:08x} 0x{value & 0xFFFFFFFF:08x} {rtype}")
    print(f"TOTAL relocations={count} base=0x{base:x}")


main()
