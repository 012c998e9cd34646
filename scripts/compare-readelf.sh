#!/usr/bin/env bash
# compare-readelf.sh - compare `lkm dump --json` with binutils' `readelf -W -S -s -r`.
#
# Usage:
#   scripts/compare-readelf.sh [--lkm CMD] [-n N] [--keep DIR] DIR-or-FILE...
#
#   DIR-or-FILE   module files, or directories searched recursively for *.ko, *.ko.xz,
#                 *.ko.zst and *.ko.gz (sorted, LC_ALL=C). Files are compared in the order given.
#   --lkm CMD     how to run lkm; word-split, e.g. --lkm ./lkm (NativeAOT binary) or
#                 --lkm "dotnet /path/lkm.dll". Overrides $LKM. Default: $LKM if set, else
#                 "dotnet <repo>/src/Cli/bin/Release/net10.0/lkm.dll" if that exists, else the
#                 Debug build of the same (checked when the script runs).
#   -n N          show the first N mismatches (default 20).
#   --keep DIR    keep the raw outputs of both tools in DIR.
#
# What is compared, per file:
#   sections    : the count, and for every section name, type, flags (readelf's letters),
#                 address, offset, size, entry size, link, info and alignment;
#   symbols     : the .symtab entry count, and for every symbol value, size, type, binding,
#                 section index (readelf Ndx: UND/ABS/COM or a number) and name (readelf
#                 shows a STT_SECTION symbol by its section's name);
#   relocations : the relocation sections in order (name, entry count, file offset, target
#                 section), and for every relocation the offset, type name, raw type and
#                 symbol index (both decoded from readelf's r_info column), symbol name and,
#                 for RELA sections, the addend. For REL sections (i386) lkm's `addend` is the
#                 implicit addend read from the place, which readelf does not show, so it is
#                 not compared.
#   Visibility (readelf's Vis column) is not in lkm's JSON and is not compared.
#
# How it works:
#   * ONE batched `lkm dump --json` call over all files (JSON Lines, output order = input
#     order; a file lkm cannot read gives {"path":..,"error":..}) and ONE batched
#     `readelf -W -S -s -r` call (xargs -0 with the largest command line the system allows;
#     the number of invocations is printed). Each batch's wall time is printed.
#   * lkm reads compressed modules itself; for readelf they are first decompressed into a
#     temporary directory (needs xz / zstd / gzip; files whose decompressor is missing are
#     left out and listed). Plain readelf handles foreign architectures (aarch64, i386, ...).
#   * The parsing and comparison are done by python3 (embedded below), streaming both outputs.
#
# Output: files compared; sections, symbols, relocation sections and relocations compared;
# mismatches per kind and field; the first N mismatches (file, where, field, lkm value,
# readelf value); each tool's batch wall time.
# Exit status: 0 = no mismatch and lkm read every file; 1 = a mismatch, or lkm failed on a
# file; 2 = usage or environment error.
# Needs: readelf (Debian package binutils), python3, xargs/find/sort (findutils, coreutils).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "compare-readelf: $*" >&2; exit 2; }

LKM_OPT=""
SHOW=20
KEEP=""
INPUTS=()
while (($#)); do
  case "$1" in
    --lkm) (($# >= 2)) || die "--lkm needs an argument"; LKM_OPT=$2; shift 2 ;;
    --lkm=*) LKM_OPT=${1#--lkm=}; shift ;;
    -n) (($# >= 2)) || die "-n needs an argument"; SHOW=$2; shift 2 ;;
    --keep) (($# >= 2)) || die "--keep needs an argument"; KEEP=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; INPUTS+=("$@"); break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) INPUTS+=("$1"); shift ;;
  esac
done
((${#INPUTS[@]})) || { usage >&2; exit 2; }
[[ "$SHOW" =~ ^[0-9]+$ ]] || die "-n wants a number"

# --- tools -------------------------------------------------------------------------------
command -v readelf >/dev/null || die "readelf not found: install the Debian package 'binutils' (apt-get install binutils)"
command -v python3 >/dev/null || die "python3 not found: install the Debian package 'python3' (apt-get install python3)"
command -v xargs >/dev/null || die "xargs not found: install the Debian package 'findutils'"

# shellcheck source=lib/lkm-command.sh
source "$REPO/scripts/lib/lkm-command.sh"
resolve_lkm_command

TMP=$(mktemp -d "${TMPDIR:-/tmp}/compare-readelf.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

XARGS_S=$(xargs --show-limits </dev/null 2>&1 | awk -F': *' '/actually use/ {print $2; exit}')
[[ "$XARGS_S" =~ ^[0-9]+$ ]] || XARGS_S=131072

# --- file lists ----------------------------------------------------------------------------
# lkm.lst: paths for lkm (as given); pairs.lst: "lkm path\0readelf path\0" (readelf path
# empty if the file could not be decompressed); re.lst: the readelf paths.
: >"$TMP/lkm.lst"; : >"$TMP/pairs.lst"; : >"$TMP/re.lst"; : >"$TMP/nodecomp.lst"
n=0
add_file() {
  local f=$1 r="" dec=""
  case "$f" in
    *.xz) dec="xz -dc" ;;
    *.zst) dec="zstd -dc" ;;
    *.gz) dec="gzip -dc" ;;
  esac
  if [[ -z "$dec" ]]; then r=$f
  elif command -v "${dec%% *}" >/dev/null; then
    n=$((n + 1)); r="$TMP/dec/$n.ko"; mkdir -p "$TMP/dec"
    $dec -- "$f" >"$r" 2>/dev/null || r=""
    [[ -n "$r" ]] || printf '%s (decompression failed)\n' "$f" >>"$TMP/nodecomp.lst"
  else
    printf '%s (%s not installed)\n' "$f" "${dec%% *}" >>"$TMP/nodecomp.lst"
  fi
  printf '%s\0' "$f" >>"$TMP/lkm.lst"
  printf '%s\0%s\0' "$f" "$r" >>"$TMP/pairs.lst"
  [[ -z "$r" ]] || printf '%s\0' "$r" >>"$TMP/re.lst"
}
for in in "${INPUTS[@]}"; do
  if [[ -d "$in" ]]; then
    while IFS= read -r -d '' f; do add_file "$f"; done < <(
      find "$in" -type f \( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) -print0 | LC_ALL=C sort -z)
  elif [[ -f "$in" ]]; then add_file "$in"
  else die "no such file or directory: $in"
  fi
done
[[ -s "$TMP/lkm.lst" ]] || die "no module files found in: ${INPUTS[*]}"

# run_batch NAME LIST CMD... : one xargs batch; stdout/stderr/rc/wall time/invocation count.
# A readelf invocation with a single file prints no "File:" header; the wrapper adds one.
run_batch() {
  local name=$1 list=$2; shift 2
  : >"$TMP/$name.calls"
  local t0=$EPOCHREALTIME rc=0
  xargs -0 -r -s "$XARGS_S" bash -c '
      calls=$0; hdr=$1; shift; echo >>"$calls"
      if [[ $hdr == 1 && $# -gt 0 ]]; then last=${!#}; n=0
        for a in "${@:2}"; do [[ $a == -* ]] || n=$((n + 1)); done
        ((n == 1)) && printf "\nFile: %s\n" "$last"
      fi
      exec "$@"' "$TMP/$name.calls" "$HDR" "$@" <"$list" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
  local t1=$EPOCHREALTIME
  echo "$rc" >"$TMP/$name.rc"
  python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.3f}")' "$t0" "$t1" >"$TMP/$name.time"
  wc -l <"$TMP/$name.calls" | tr -d ' ' >"$TMP/$name.ncalls"
}

HDR=0 run_batch lkm "$TMP/lkm.lst" "${LKM_CMD[@]}" dump --json
if [[ -s "$TMP/re.lst" ]]; then HDR=1 run_batch re "$TMP/re.lst" readelf -W -S -s -r
else for x in out err calls; do : >"$TMP/re.$x"; done; echo 0 >"$TMP/re.rc"; echo 0 >"$TMP/re.time"; echo 0 >"$TMP/re.ncalls"; fi

if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP" && cp "$TMP"/*.* "$KEEP"/; fi

# --- comparison ------------------------------------------------------------------------------
rc=0
python3 - "$TMP" "$SHOW" "$LKM" "$(readelf --version | head -n1)" <<'PY' || rc=$?
import json, os, re, sys
import time
T_START = time.monotonic()
from collections import Counter

tmp, show, lkm_cmd, re_version = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def rd_text(name):
    with open(os.path.join(tmp, name), "rb") as fh:
        return fh.read().decode("utf-8", "surrogateescape")

def meta(name):
    err = [l for l in rd_text(name + ".err").splitlines() if l.strip()]
    return rd_text(name + ".time").strip(), rd_text(name + ".ncalls").strip(), int(rd_text(name + ".rc").strip() or 0), err

raw = open(os.path.join(tmp, "pairs.lst"), "rb").read().split(b"\0")
pairs = [(raw[i].decode("utf-8", "surrogateescape"), raw[i + 1].decode("utf-8", "surrogateescape"))
         for i in range(0, len(raw) - 1, 2)]
nodecomp = [l for l in rd_text("nodecomp.lst").splitlines() if l]

# ---- readelf output, one block per file --------------------------------------------------------
def readelf_blocks(path):
    cur_name, cur = None, []
    with open(path, "r", encoding="utf-8", errors="surrogateescape") as fh:
        for line in fh:
            if line.startswith("File: "):
                if cur_name is not None:
                    yield cur_name, cur
                cur_name, cur = line[6:].rstrip("\n"), []
            elif cur_name is not None:
                cur.append(line.rstrip("\n"))
    if cur_name is not None:
        yield cur_name, cur

SEC_RE = re.compile(r"^\s*\[\s*(\d+)\]\s(.*?)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)$")
RELSEC_RE = re.compile(r"^Relocation section '(.*)' at offset 0x([0-9a-f]+) contains (\d+) entr(?:y|ies):$")
SYMTAB_RE = re.compile(r"^Symbol table '(.*)' contains (\d+) entr(?:y|ies):$")
NSEC_RE = re.compile(r"^There are (\d+) section headers")

def parse_readelf(lines):
    """-> dict(nsec, sections[list of tuples], relsecs[list of dict], symtabs{name: (count, entries)}, bad[lines])"""
    out = {"nsec": None, "sections": [], "relsecs": [], "symtabs": {}, "bad": []}
    mode = None
    cur = None
    for ln in lines:
        if not ln.strip():
            mode = None if mode != "sechdr" else mode
            continue
        if mode == "rel":
            t = ln.split()
            if t and t[0] == "Offset" or ln.startswith(" Offset"):
                continue
            cur["entries"].append(t)
            continue
        if mode == "sym":
            if ln.lstrip().startswith("Num:"):
                continue
            cur.append(ln.split())
            continue
        if mode == "sechdr":
            if ln.startswith("  ["):
                m = SEC_RE.match(ln)
                if m and m.group(1) != "Nr" :
                    out["sections"].append(m.groups())
                elif "[Nr]" not in ln:
                    out["bad"].append(ln)
                continue
            mode = None
        m = RELSEC_RE.match(ln)
        if m:
            cur = {"name": m.group(1), "offset": int(m.group(2), 16), "count": int(m.group(3)), "entries": []}
            out["relsecs"].append(cur)
            mode = "rel"
            continue
        m = SYMTAB_RE.match(ln)
        if m:
            cur = []
            out["symtabs"][m.group(1)] = (int(m.group(2)), cur)
            mode = "sym"
            continue
        if ln.startswith("Section Headers:"):
            mode = "sechdr"
            continue
        m = NSEC_RE.match(ln)
        if m:
            out["nsec"] = int(m.group(1))
    return out

# ---- comparison --------------------------------------------------------------------------------
mism = Counter()          # (kind, field) -> count
examples = []
totals = Counter()

file_kinds = set()       # (path, kind) pairs with a mismatch
def bad(path, kind, where, field, lv, rv):
    mism[(kind, field)] += 1
    file_kinds.add((path, kind))
    if len(examples) < show:
        examples.append("%s: %s %s: %s: lkm=%r readelf=%r" % (path, kind, where, field, lv, rv))

def hexint(s):
    return int(s, 16)

def compare(path, j, r):
    """Compare one module; returns True if anything differed."""
    before = sum(mism.values())
    def b(kind, where, field, lv, rv):
        bad(path, kind, where, field, lv, rv)
    bits = j.get("bits")
    lsecs = j.get("sections") or []
    rsecs = r["sections"]
    # sections
    totals["sections"] += len(lsecs)
    if r["nsec"] is not None and r["nsec"] != len(lsecs):
        b("section", "table", "count (e_shnum)", len(lsecs), r["nsec"])
    if len(rsecs) != len(lsecs):
        b("section", "table", "count (listed)", len(lsecs), len(rsecs))
    rsec_by_idx = {}
    for g in rsecs:
        idx = int(g[0])
        rsec_by_idx[idx] = g
    for s in lsecs:
        g = rsec_by_idx.get(s["index"])
        where = "[%d] %s" % (s["index"], s["name"])
        if g is None:
            b("section", where, "missing in readelf", s["name"], None)
            continue
        _, name, typ, addr, off, size, es, flg, lk, inf, al = g
        if s["name"] != name: b("section", where, "name", s["name"], name)
        # binutils before 2.41 has no name for SHT_LLVM_ADDRSIG (clang objects) and prints it as LOOS+offset.
        if s["type"] != typ and not (s["type"] == "LLVM_ADDRSIG" and typ == "LOOS+0xfff4c03"): b("section", where, "type", s["type"], typ)
        if s["flags"] != flg: b("section", where, "flags", s["flags"], flg)
        if hexint(str(s["address"])) != hexint(addr): b("section", where, "address", s["address"], "0x" + addr)
        if s["offset"] != hexint(off): b("section", where, "offset", s["offset"], hexint(off))
        if s["size"] != hexint(size): b("section", where, "size", s["size"], hexint(size))
        if s.get("entrySize") != hexint(es): b("section", where, "entrySize", s.get("entrySize"), hexint(es))
        if s.get("link") != int(lk): b("section", where, "link", s.get("link"), int(lk))
        if s.get("info") != int(inf): b("section", where, "info", s.get("info"), int(inf))
        if s.get("align") != int(al) and not (int(al) == 0 and s.get("align") == 1):
            # readelf prints sh_addralign as stored; lkm may report 0 as 1 - only a raw 0/1 pair is tolerated
            b("section", where, "align", s.get("align"), int(al))
    secname = {s["index"]: s["name"] for s in lsecs}
    # symbols
    lsyms = j.get("symbols") or []
    rcount, rsyms = r["symtabs"].get(".symtab", (0, []))
    totals["symbols"] += len(lsyms)
    if rcount != len(lsyms):
        b("symbol", ".symtab", "count", len(lsyms), rcount)
    for sym, t in zip(lsyms, rsyms):
        where = "#%d %s" % (sym["index"], sym["name"])
        try:
            num = int(t[0].rstrip(":"))
            val, size, typ, bind = t[1], t[2], t[3], t[4]
            i = 6
            while i < len(t) and t[i].startswith("["):      # st_other extras, e.g. [VARIANT_PCS]
                while i < len(t) and not t[i].endswith("]"):
                    i += 1
                i += 1
            ndx = t[i]
            name = " ".join(t[i + 1:])
        except (IndexError, ValueError):
            b("symbol", where, "unparsed readelf line", None, " ".join(t))
            continue
        if num != sym["index"]: b("symbol", where, "index", sym["index"], num)
        if hexint(str(sym["value"])) != hexint(val): b("symbol", where, "value", sym["value"], "0x" + val)
        rsize = int(size, 16) if size.startswith("0x") else int(size)
        if sym["size"] != rsize: b("symbol", where, "size", sym["size"], rsize)
        if sym["type"] != typ: b("symbol", where, "type", sym["type"], typ)
        if sym["binding"] != bind: b("symbol", where, "binding", sym["binding"], bind)
        d, sec = sym.get("definition"), sym.get("section")
        if ndx == "UND": ok = d == "undefined"
        elif ndx == "ABS": ok = d == "absolute"
        elif ndx == "COM": ok = d == "common"
        elif ndx.isdigit(): ok = sec == int(ndx) and d not in ("undefined", "absolute", "common")
        else: ok = False
        if not ok: b("symbol", where, "section (Ndx)", "%s/%s" % (d, sec), ndx)
        lname = sym["name"]
        if lname == "" and typ == "SECTION" and isinstance(sec, int):
            lname = secname.get(sec, "")
        if lname != name: b("symbol", where, "name", lname, name)
    # relocations
    lrs = j.get("relocationSections") or []
    rrs = r["relsecs"]
    totals["relocation sections"] += len(lrs)
    if len(lrs) != len(rrs):
        b("relocation section", "list", "count", len(lrs), len(rrs))
    lsec_by_idx = {s["index"]: s for s in lsecs}
    for ls, rs in zip(lrs, rrs):
        where = "%s [%s]" % (ls["name"], ls.get("index"))
        if ls["name"] != rs["name"]: b("relocation section", where, "name", ls["name"], rs["name"])
        lsec = lsec_by_idx.get(ls.get("index"))
        if lsec is None or lsec["offset"] != rs["offset"]:
            b("relocation section", where, "file offset", lsec and lsec["offset"], rs["offset"])
        g = rsec_by_idx.get(ls.get("index"))
        # lkm shows image-wide (dynamic) relocation tables with target -1; readelf shows their sh_info, 0.
        if g is not None and (0 if ls.get("target") == -1 else ls.get("target")) != int(g[9]):
            b("relocation section", where, "target (sh_info)", ls.get("target"), int(g[9]))
        rels = ls.get("relocations") or []
        if ls.get("count") != len(rels):
            b("relocation section", where, "lkm count != len(relocations)", ls.get("count"), "n/a (lkm has %d entries)" % len(rels))
        if len(rels) != rs["count"]:
            b("relocation section", where, "entry count", len(rels), rs["count"])
        if len(rs["entries"]) != rs["count"]:
            b("relocation section", where, "readelf listed entries", rs["count"], len(rs["entries"]))
        is_rela = (g[2] == "RELA") if g is not None else ls["name"].startswith(".rela")
        totals["relocations"] += len(rels)
        totals["RELA relocations" if is_rela else "REL relocations"] += len(rels)
        wide = bits == 64
        for k, (x, t) in enumerate(zip(rels, rs["entries"])):
            try:
                off, info = int(t[0], 16), int(t[1], 16)
                typ, rest = t[2], t[3:]
                if typ[-1] == ":" and rest:              # "unrecognized: 2b"
                    typ, rest = typ + " " + rest[0], rest[1:]
                if wide:
                    rsym, rtype = info >> 32, info & 0xffffffff
                else:
                    rsym, rtype = info >> 8, info & 0xff
                raddend = None
                if is_rela:
                    nr = len(rest)
                    if nr >= 3 and (rest[-2] == "+" or rest[-2] == "-"):
                        raddend = int(rest[-1], 16)
                        if rest[-2] == "-":
                            raddend = -raddend
                        rname = rest[1] if nr == 4 else " ".join(rest[1:-2])
                    elif nr == 1:                        # no symbol: just the addend
                        raddend = int(rest[0], 16)       # int() accepts a leading "-"
                        rname = ""
                    elif nr == 0:
                        rname = ""
                    else:
                        raise ValueError
                else:
                    rname = " ".join(rest[1:]) if rest else ""
                lname = x.get("symbolName") or ""
                if rsym == 0:
                    rname = lname                        # nothing to compare
                # fast path: everything equal
                if (int(x["offset"], 16) == off and x["type"] == typ and x.get("rawType") == rtype
                        and x.get("symbol") == rsym and lname == rname
                        and (not is_rela or x.get("addend") == raddend)):
                    continue
            except (IndexError, ValueError, TypeError):
                b("relocation", "%s #%d" % (ls["name"], k), "unparsed readelf line", None, " ".join(t))
                continue
            w = "%s #%d" % (ls["name"], k)
            if hexint(str(x["offset"])) != off: b("relocation", w, "offset", x["offset"], hex(off))
            if x["type"] != typ: b("relocation", w, "type", x["type"], typ)
            if x.get("rawType") != rtype: b("relocation", w, "rawType (r_info)", x.get("rawType"), rtype)
            if x.get("symbol") != rsym: b("relocation", w, "symbol index (r_info)", x.get("symbol"), rsym)
            if lname != rname: b("relocation", w, "symbolName", lname, rname)
            if is_rela and x.get("addend") != raddend: b("relocation", w, "addend", x.get("addend"), raddend)
    return sum(mism.values()) != before

lt, lc, lrc, lerr = meta("lkm")
rt, rcalls, rrc, rerr = meta("re")

print("compare-readelf: %d file(s)" % len(pairs))
print("  lkm              : %s" % lkm_cmd)
print("  readelf          : %s" % re_version)
ndec = sum(1 for p, q in pairs if q and q != p)
if ndec:
    print("  decompressed for readelf: %d file(s)" % ndec)
if nodecomp:
    print("  not given to readelf (could not decompress): %d: %s" % (len(nodecomp), "; ".join(nodecomp[:5])))
print()
print("batch run times (wall):")
print("  lkm dump --json  : %8s s  (%s invocation(s), exit %d, %d stderr line(s))" % (lt, lc, lrc, len(lerr)))
print("  readelf -W -Ssr  : %8s s  (%s invocation(s), exit %d, %d stderr line(s))" % (rt, rcalls, rrc, len(rerr)))

reasons = []
def fail(why):
    if why not in reasons:
        reasons.append(why)

files_ok = files_mism = lkm_failed = both_failed = no_readelf = 0
order_problems = 0
lkm_fail_examples = []
blocks = readelf_blocks(os.path.join(tmp, "re.out"))
pending = next(blocks, None)
with open(os.path.join(tmp, "lkm.out"), "r", encoding="utf-8", errors="surrogateescape") as lk:
    for path, rpath in pairs:
        line = lk.readline()
        j = None
        if line:
            try:
                j = json.loads(line)
            except ValueError as e:
                j = {"path": path, "error": "invalid JSON from lkm: %s" % e}
        else:
            j = {"path": path, "error": "no output line from lkm"}
        if j.get("path") != path:
            order_problems += 1
            fail("lkm output out of order")
            if order_problems <= show:
                print("  lkm output out of order: expected %s, got %s" % (path, j.get("path")))
        r = None
        if rpath and pending is not None and pending[0] == rpath:
            r = parse_readelf(pending[1])
            pending = next(blocks, None)
        if "error" in j:
            lkm_failed += 1
            fail("lkm failed on some file(s)")
            if r is None or not r["sections"]:
                both_failed += 1
                lkm_fail_examples.append("%s: lkm: %s (readelf could not read it either)" % (path, j["error"]))
            else:
                files_mism += 1
                bad(path, "file", "", "lkm failed, readelf read it", j["error"], "%d sections" % len(r["sections"]))
            continue
        if r is None:
            no_readelf += 1
            if rpath:
                fail("readelf gave no output for some file(s)")
                bad(path, "file", "", "readelf printed nothing", "ok", None)
            continue
        if r["bad"]:
            for l in r["bad"][:1]:
                bad(path, "section", "table", "unparsed readelf line", None, l)
        if compare(path, j, r) or r["bad"]:
            files_mism += 1
        else:
            files_ok += 1
    extra = lk.read()
    if extra.strip():
        fail("lkm printed extra output")
        print("  lkm printed %d extra line(s) after the last file" % len(extra.splitlines()))
if pending is not None:
    fail("readelf printed extra output")
    print("  readelf printed a block for an unexpected file: %s" % pending[0])

print()
print("compared:")
print("  files            : %d (identical %d, mismatching %d, lkm failed %d of which unreadable by readelf too %d%s)"
      % (len(pairs), files_ok, files_mism, lkm_failed, both_failed,
         ", not compared %d" % no_readelf if no_readelf else ""))
print("  sections         : %d" % totals["sections"])
print("  symbols          : %d" % totals["symbols"])
print("  reloc sections   : %d" % totals["relocation sections"])
print("  relocations      : %d (%d RELA: offset, type, r_info, symbol, addend; %d REL: no addend)"
      % (totals["relocations"], totals["RELA relocations"], totals["REL relocations"]))
nm = sum(mism.values())
print("  mismatches       : %d" % nm)
if nm:
    fail("mismatches")
    for (kind, field), c in sorted(mism.items(), key=lambda kv: -kv[1]):
        print("    %-20s %-32s %d" % (kind, field, c))
    mism_files = Counter(k for _, k in file_kinds)
    print("  files with mismatches per kind: " + ", ".join("%s %d" % kv for kv in mism_files.most_common()))
    print("  first %d mismatch(es):" % len(examples))
    for e in examples:
        print("    " + e)
if lkm_fail_examples:
    print("  lkm failures (%d):" % len(lkm_fail_examples))
    for e in lkm_fail_examples[:show]:
        print("    " + e)
if lrc != 0 and not lkm_failed:
    fail("lkm exited with %d" % lrc)
print("comparison (python3): %.1f s" % (time.monotonic() - T_START))
print("result: %s" % ("FAIL (" + "; ".join(reasons) + ")" if reasons else "OK, no mismatch"))
sys.exit(1 if reasons else 0)
PY
exit "$rc"
