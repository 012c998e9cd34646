#!/usr/bin/env bash
# compare-modinfo.sh - compare `lkm info` with kmod's `modinfo`, module by module.
#
# Usage:
#   scripts/compare-modinfo.sh [--lkm CMD] [-F FIELD]... [--no-fields] [-n N] [--keep DIR] DIR
#
#   DIR           directory searched recursively for *.ko, *.ko.xz, *.ko.zst and *.ko.gz.
#   --lkm CMD     how to run lkm; word-split, e.g. --lkm ./lkm (NativeAOT binary) or
#                 --lkm "dotnet /path/lkm.dll". Overrides $LKM. Default: $LKM if set, else
#                 "dotnet <repo>/src/Cli/bin/Release/net10.0/lkm.dll" if that exists, else the
#                 Debug build of the same (checked when the script runs).
#   -F FIELD      besides the full output, also compare `lkm info -F FIELD` with
#                 `modinfo -F FIELD`. Repeatable; replaces the default set
#                 (vermagic depends parm signer).
#   --no-fields   compare the full output only.
#   -n N          show the first N differences of each comparison (default 10).
#   --keep DIR    keep the raw outputs of both tools (and the file list) in DIR.
#
# How it works:
#   * The module list is `find . ... | LC_ALL=C sort` run inside DIR, so both tools get the
#     same relative paths ("./a/b.ko") in the same order. modinfo prints `filename:` as
#     cwd + "/" + the path as given (no "./" normalisation), and lkm is expected to do the same.
#   * Each tool runs as ONE batched call over the whole list (xargs -0 with the largest
#     command line the system allows; the number of invocations is printed and is 1 unless
#     the list is longer than ARG_MAX). Each batch's wall time is printed.
#   * Files modinfo cannot read are left out of modinfo's list only: Debian's kmod is built
#     without zlib (modinfo --version shows -ZLIB), so *.ko.gz files are not compared, but lkm
#     still reads them and must not fail on them. Same for -XZ / -ZSTD builds.
#   * Both outputs are split into per-module blocks at `filename:` lines, matched by the
#     normalised filename and compared line by line and field by field (lines that do not
#     start with "name:" padded to column 16 are continuation lines of the previous field,
#     e.g. multi-line parameter descriptions and the signature's tab-indented lines).
#   * -F FIELD output has no module separators; it is split per module using the number of
#     lines FIELD takes in the same tool's full-output block. If that does not add up (e.g.
#     `-F parmtype`, which the full output never shows), the two streams are compared as a
#     whole instead and the comparison counts as differing.
#
# Output: per comparison the number of modules, identical, differing, differing lines
# (lines only in modinfo + lines only in lkm), a per-field breakdown, the first N
# differences, and each tool's batch wall time.
# Exit status: 0 = everything identical and lkm succeeded on every file; 1 = a difference,
# or lkm failed/wrote to stderr; 2 = usage or environment error.
# Needs: modinfo (Debian package kmod), python3, xargs/find/sort (findutils, coreutils).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PATH="$PATH:/usr/sbin:/sbin"   # modinfo lives in /usr/sbin, not always on a user's PATH

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "compare-modinfo: $*" >&2; exit 2; }

LKM_OPT=""
FIELDS=(vermagic depends parm signer)
FIELDS_SET=0
SHOW=10
KEEP=""
DIR=""
while (($#)); do
  case "$1" in
    --lkm) (($# >= 2)) || die "--lkm needs an argument"; LKM_OPT=$2; shift 2 ;;
    --lkm=*) LKM_OPT=${1#--lkm=}; shift ;;
    -F|--field) (($# >= 2)) || die "$1 needs an argument"
       ((FIELDS_SET)) || FIELDS=(); FIELDS_SET=1; FIELDS+=("$2"); shift 2 ;;
    -F*) ((FIELDS_SET)) || FIELDS=(); FIELDS_SET=1; FIELDS+=("${1#-F}"); shift ;;
    --no-fields) FIELDS=(); FIELDS_SET=1; shift ;;
    -n) (($# >= 2)) || die "-n needs an argument"; SHOW=$2; shift 2 ;;
    --keep) (($# >= 2)) || die "--keep needs an argument"; KEEP=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [[ -z "$DIR" ]] || die "only one DIR please (see --help)"; DIR=$1; shift ;;
  esac
done
[[ -n "$DIR" ]] || { usage >&2; exit 2; }
[[ -d "$DIR" ]] || die "not a directory: $DIR"
[[ "$SHOW" =~ ^[0-9]+$ ]] || die "-n wants a number"

# --- tools -------------------------------------------------------------------------------
command -v modinfo >/dev/null || die "modinfo not found: install the Debian package 'kmod' (apt-get install kmod)"
command -v python3 >/dev/null || die "python3 not found: install the Debian package 'python3' (apt-get install python3)"
command -v xargs >/dev/null || die "xargs not found: install the Debian package 'findutils'"

# shellcheck source=lib/lkm-command.sh
source "$REPO/scripts/lib/lkm-command.sh"
resolve_lkm_command

MODINFO_VERSION=$(modinfo --version 2>&1 | tr '\n' ' ')
# Which compressed formats can this modinfo read? kmod prints e.g. "+ZSTD +XZ -ZLIB".
MI_EXT=(ko)
[[ "$MODINFO_VERSION" == *"+XZ"* ]] && MI_EXT+=(ko.xz)
[[ "$MODINFO_VERSION" == *"+ZSTD"* ]] && MI_EXT+=(ko.zst)
[[ "$MODINFO_VERSION" == *"+ZLIB"* ]] && MI_EXT+=(ko.gz)

DIR_ABS=$(cd "$DIR" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/compare-modinfo.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Largest command line xargs may build, so that the batch really is one call.
XARGS_S=$(xargs --show-limits </dev/null 2>&1 | awk -F': *' '/actually use/ {print $2; exit}')
[[ "$XARGS_S" =~ ^[0-9]+$ ]] || XARGS_S=131072

# --- file lists ----------------------------------------------------------------------------
(cd "$DIR_ABS" && find . -type f \( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) -print0 |
  LC_ALL=C sort -z) >"$TMP/all.lst"
: >"$TMP/mi.lst"
while IFS= read -r -d '' f; do
  for e in "${MI_EXT[@]}"; do
    if [[ "$f" == *."$e" ]]; then printf '%s\0' "$f" >>"$TMP/mi.lst"; break; fi
  done
done <"$TMP/all.lst"
[[ -s "$TMP/all.lst" ]] || die "no module files (*.ko, *.ko.xz, *.ko.zst, *.ko.gz) under $DIR"

# run_batch NAME LIST CMD... : one xargs batch inside DIR; records stdout, stderr, rc,
# wall time and the number of invocations xargs needed.
run_batch() {
  local name=$1 list=$2; shift 2
  : >"$TMP/$name.calls"
  local t0=$EPOCHREALTIME rc=0
  (cd "$DIR_ABS" && xargs -0 -r -s "$XARGS_S" bash -c 'echo >>"$0"; exec "$@"' "$TMP/$name.calls" "$@" \
      <"$list" >"$TMP/$name.out" 2>"$TMP/$name.err") || rc=$?
  local t1=$EPOCHREALTIME
  echo "$rc" >"$TMP/$name.rc"
  python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.3f}")' "$t0" "$t1" >"$TMP/$name.time"
  wc -l <"$TMP/$name.calls" | tr -d ' ' >"$TMP/$name.ncalls"
}

run_batch lkm.full "$TMP/all.lst" "${LKM_CMD[@]}" info
if [[ -s "$TMP/mi.lst" ]]; then run_batch mi.full "$TMP/mi.lst" modinfo
else for x in out err calls; do : >"$TMP/mi.full.$x"; done; echo 0 >"$TMP/mi.full.rc"; echo 0 >"$TMP/mi.full.time"; echo 0 >"$TMP/mi.full.ncalls"; fi
for f in "${FIELDS[@]}"; do
  [[ "$f" =~ ^[A-Za-z0-9_.-]+$ ]] || die "odd field name: $f"
  run_batch "lkm.F.$f" "$TMP/all.lst" "${LKM_CMD[@]}" info -F "$f"
  if [[ -s "$TMP/mi.lst" ]]; then run_batch "mi.F.$f" "$TMP/mi.lst" modinfo -F "$f"
  else for x in out err calls; do : >"$TMP/mi.F.$f.$x"; done; echo 0 >"$TMP/mi.F.$f.rc"; echo 0 >"$TMP/mi.F.$f.time"; echo 0 >"$TMP/mi.F.$f.ncalls"; fi
done

if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP" && cp "$TMP"/* "$KEEP"/; fi

# --- comparison ------------------------------------------------------------------------------
rc=0
python3 - "$TMP" "$DIR_ABS" "$SHOW" "$LKM" "$MODINFO_VERSION" "${FIELDS[@]}" <<'PY' || rc=$?
import difflib, os, re, sys
import time
T_START = time.monotonic()
from collections import Counter, OrderedDict

tmp, dir_abs, show, lkm_cmd, mi_version = sys.argv[1:6]
show = int(show)
fields = sys.argv[6:]

def rd(name, binary=False):
    p = os.path.join(tmp, name)
    with open(p, "rb") as fh:
        data = fh.read()
    return data if binary else data.decode("utf-8", "surrogateescape")

def lines_of(name):
    text = rd(name)
    if text == "":
        return []
    ls = text.split("\n")
    if ls[-1] == "":
        ls.pop()
    return ls

def paths(name):
    return [p.decode("utf-8", "surrogateescape") for p in rd(name, True).split(b"\0") if p]

all_files = paths("all.lst")
mi_files = paths("mi.lst")
mi_set = set(mi_files)

FIELD_RE = re.compile(r"([^\s:]+):")
def field_of(line):
    """Field name if LINE is a 'name:<pad to col 16>value' line as modinfo prints it."""
    m = FIELD_RE.match(line)
    if not m:
        return None
    n = m.end()
    if n >= 16:
        return m.group(1)
    if len(line) >= 16 and line[n:16] == " " * (16 - n):
        return m.group(1)
    return None

def key_of(path):
    return os.path.normpath(path)

def split_blocks(lines):
    """-> (OrderedDict normalised-filename -> list of lines, stray lines before the first block, duplicates)"""
    blocks, stray, dups = OrderedDict(), [], []
    cur = None
    for ln in lines:
        if field_of(ln) == "filename":
            fn = ln[16:] if len(ln) >= 16 else ln.split(":", 1)[1].lstrip()
            k = key_of(fn)
            if k in blocks:
                dups.append(k)
                k = k + "\0dup%d" % len(dups)
            cur = blocks[k] = [ln]
        elif cur is None:
            stray.append(ln)
        else:
            cur.append(ln)
    return blocks, stray, dups

def fields_of(block):
    """-> list of (field, [lines]) entries, continuation lines attached to the previous field."""
    out = []
    for ln in block:
        f = field_of(ln)
        if f is not None or not out:
            out.append((f if f is not None else "?", [ln]))
        else:
            out[-1][1].append(ln)
    return out

def field_line_count(block, field):
    return sum(len(ls) for f, ls in fields_of(block) if f == field)

def diff_count(a, b):
    """(lines only in a, lines only in b)"""
    only_a = only_b = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            only_a += i2 - i1
            only_b += j2 - j1
    return only_a, only_b

def show_diff(a, b, limit=14):
    """Print the differing lines, '-' = modinfo, '+' = lkm; replaced lines are shown in pairs."""
    d = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        d.append("@@ modinfo line %d, lkm line %d" % (i1 + 1, j1 + 1))
        x, y = a[i1:i2], b[j1:j2]
        for n in range(max(len(x), len(y))):
            if n < len(x):
                d.append("-" + x[n])
            if n < len(y):
                d.append("+" + y[n])
    for ln in d[:limit]:
        print("      " + ln)
    if len(d) > limit:
        print("      ... (%d more diff lines)" % (len(d) - limit))

def short(k):
    return os.path.relpath(k, dir_abs) if k.startswith(dir_abs + "/") else k

def meta(name):
    return (rd(name + ".time").strip(), rd(name + ".ncalls").strip(), int(rd(name + ".rc").strip() or 0),
            [l for l in lines_of(name + ".err") if l.strip()])

reasons = []
def fail(why):
    if why not in reasons:
        reasons.append(why)
print("compare-modinfo: %s" % dir_abs)
ext_count = Counter()
for f in all_files:
    for e in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if f.endswith(e):
            ext_count[e] += 1
            break
print("  module files     : %d (%s)" % (len(all_files), ", ".join("%d %s" % (ext_count[e], e) for e in (".ko", ".ko.xz", ".ko.zst", ".ko.gz"))))
print("  lkm              : %s" % lkm_cmd)
print("  modinfo          : %s" % mi_version.strip())
skipped = [f for f in all_files if f not in mi_set]
if skipped:
    print("  not given to modinfo (it cannot read them): %d file(s): %s%s" % (
        len(skipped), ", ".join(skipped[:5]), ", ..." if len(skipped) > 5 else ""))

# ---- full output ---------------------------------------------------------------------------
lt, lc, lrc, lerr = meta("lkm.full")
mt, mc, mrc, merr = meta("mi.full")
print()
print("batch run times (wall):")
print("  lkm info         : %8s s  (%s invocation(s), exit %d, %d stderr line(s))" % (lt, lc, lrc, len(lerr)))
print("  modinfo          : %8s s  (%s invocation(s), exit %d, %d stderr line(s))" % (mt, mc, mrc, len(merr)))
if lrc != 0 or lerr:
    fail("lkm failed on some file(s)")
    print("  lkm FAILED (exit %d); its stderr:" % lrc)
    for l in lerr[:show]:
        print("    " + l)
    if len(lerr) > show:
        print("    ... (%d more)" % (len(lerr) - show))
if mrc != 0 or merr:
    print("  note: modinfo exit %d; its stderr:" % mrc)
    for l in merr[:show]:
        print("    " + l)

lkm_blocks, lkm_stray, lkm_dups = split_blocks(lines_of("lkm.full.out"))
mi_blocks, mi_stray, mi_dups = split_blocks(lines_of("mi.full.out"))
for tool, stray, dups in (("lkm", lkm_stray, lkm_dups), ("modinfo", mi_stray, mi_dups)):
    if stray:
        fail("unexpected output")
        print("  %s printed %d line(s) before the first filename: line, e.g. %r" % (tool, len(stray), stray[0]))
    if dups:
        fail("unexpected output")
        print("  %s printed %d duplicate filename block(s), e.g. %s" % (tool, len(dups), dups[0]))

expected_all = [key_of(os.path.join(dir_abs, f)) for f in all_files]
expected_mi = [key_of(os.path.join(dir_abs, f)) for f in mi_files]
exp_mi_set = set(expected_mi)
lkm_missing = [k for k in expected_all if k not in lkm_blocks]
lkm_extra = [k for k in lkm_blocks if k not in set(expected_all)]
if lkm_missing:
    fail("lkm printed nothing for some file(s)")
    print("  lkm printed no block for %d file(s), e.g. %s" % (len(lkm_missing), ", ".join(map(short, lkm_missing[:5]))))
if lkm_extra:
    fail("unexpected output")
    print("  lkm printed %d block(s) for unexpected filename(s), e.g. %s" % (len(lkm_extra), ", ".join(lkm_extra[:3])))

lkm_err_paths = set()
for l in lerr:
    m = re.match(r"lkm: (.+?): ", l)
    if m:
        lkm_err_paths.add(key_of(os.path.join(dir_abs, m.group(1))))
def lkm_failed_on(k):
    return k in lkm_err_paths

n_mod = n_same = n_diff = n_unreadable = only_mi = only_lkm = 0
field_diff = Counter()
examples = []
for k in expected_mi:
    a = mi_blocks.get(k)
    b = lkm_blocks.get(k)
    n_mod += 1
    if a is None and b is None:
        n_diff += 1
        examples.append((k, "neither tool printed a block", None, None))
        continue
    if b is None and lkm_failed_on(k) and (a is None or [field_of(l) for l in a] == ["filename"]):
        # lkm reported an error for this file; modinfo also failed (it prints filename: first
        # and then only an error). Counted apart; the lkm failure alone makes the exit status 1.
        n_unreadable += 1
        continue
    if a is None or b is None:
        n_diff += 1
        examples.append((k, "only %s printed a block" % ("lkm" if a is None else "modinfo"), a or [], b or []))
        only_mi += len(a or [])
        only_lkm += len(b or [])
        continue
    if a == b:
        n_same += 1
        continue
    n_diff += 1
    x, y = diff_count(a, b)
    only_mi += x
    only_lkm += y
    fa, fb = {}, {}
    for f, ls in fields_of(a):
        fa.setdefault(f, []).append(ls)
    for f, ls in fields_of(b):
        fb.setdefault(f, []).append(ls)
    for f in sorted(set(fa) | set(fb)):
        if fa.get(f) != fb.get(f):
            field_diff[f] += 1
    examples.append((k, None, a, b))
extra_mi = [k for k in mi_blocks if k not in exp_mi_set]
if extra_mi:
    fail("unexpected output")
    print("  modinfo printed %d block(s) for unexpected filename(s), e.g. %s" % (len(extra_mi), extra_mi[0]))

print()
print("full output (lkm info vs modinfo):")
print("  modules compared : %d" % n_mod)
print("  identical        : %d" % n_same)
print("  differing        : %d" % n_diff)
if n_unreadable:
    print("  unreadable       : %d (both tools failed on them: lkm error, modinfo printed only filename:)" % n_unreadable)
print("  differing lines  : %d (%d only in modinfo, %d only in lkm)" % (only_mi + only_lkm, only_mi, only_lkm))
if field_diff:
    print("  modules differing per field: " + ", ".join("%s %d" % kv for kv in field_diff.most_common()))
if examples:
    fail("full output differs")
    print("  first %d difference(s):" % min(show, len(examples)))
    for k, why, a, b in examples[:show]:
        print("    %s%s" % (short(k), ": " + why if why else ""))
        if a is not None:
            show_diff(a, b)

# ---- -F FIELD --------------------------------------------------------------------------------
def split_field_output(lines, blocks, field):
    """Split -F output LINES per module, using FIELD's line count in each full-output block."""
    counts = [(k, field_line_count(b, field)) for k, b in blocks.items()]
    if sum(c for _, c in counts) != len(lines):
        return None, sum(c for _, c in counts)
    out, i = {}, 0
    for k, c in counts:
        out[k] = lines[i:i + c]
        i += c
    return out, len(lines)

summary = []
for field in fields:
    lt, lc, lrc, lerr = meta("lkm.F." + field)
    mt, mc, mrc, merr = meta("mi.F." + field)
    ll = lines_of("lkm.F.%s.out" % field)
    ml = lines_of("mi.F.%s.out" % field)
    print()
    print("-F %s:" % field)
    print("  batch run times  : lkm %s s (%s invocation(s), exit %d), modinfo %s s (%s invocation(s), exit %d)"
          % (lt, lc, lrc, mt, mc, mrc))
    if lrc != 0 or lerr:
        fail("lkm failed on some file(s)")
        print("  lkm FAILED (exit %d), stderr: %s" % (lrc, "; ".join(lerr[:3])))
    # lkm also read the files modinfo could not; drop those modules from lkm's stream
    lsplit, lexp = split_field_output(ll, lkm_blocks, field)
    msplit, mexp = split_field_output(ml, mi_blocks, field)
    if lsplit is None or msplit is None:
        fail("-F output differs")
        if lsplit is None:
            print("  cannot split lkm's -F output per module: the full output implies %d line(s), -F printed %d" % (lexp, len(ll)))
        if msplit is None:
            print("  cannot split modinfo's -F output per module: the full output implies %d line(s), -F printed %d" % (mexp, len(ml)))
        if lsplit is not None:
            ll = [x for k in lkm_blocks if k in exp_mi_set for x in lsplit[k]]
        else:
            print("  (comparing the whole streams; lkm's stream may include modules modinfo did not read)")
        x, y = diff_count(ml, ll)
        print("  whole-stream comparison: modinfo %d line(s), lkm %d line(s), %d differing (%d only in modinfo, %d only in lkm)"
              % (len(ml), len(ll), x + y, x, y))
        show_diff(ml, ll, limit=2 * show)
        summary.append((field, None, None, None, x + y))
        continue
    n = same = diff = 0
    dl = 0
    ex = []
    for k in expected_mi:
        if k not in msplit or k not in lkm_blocks:
            continue   # already reported by the full comparison
        n += 1
        a, b = msplit[k], lsplit[k]
        if a == b:
            same += 1
        else:
            diff += 1
            x, y = diff_count(a, b)
            dl += x + y
            ex.append((k, a, b))
    print("  modules compared : %d, identical %d, differing %d, differing lines %d (modinfo %d line(s), lkm %d line(s) for these modules)"
          % (n, same, diff, dl, sum(len(msplit[k]) for k in expected_mi if k in msplit and k in lkm_blocks),
             sum(len(lsplit[k]) for k in expected_mi if k in msplit and k in lkm_blocks)))
    if ex:
        fail("-F output differs")
        print("  first %d difference(s):" % min(show, len(ex)))
        for k, a, b in ex[:show]:
            print("    %s" % short(k))
            show_diff(a, b, limit=6)
    summary.append((field, n, same, diff, dl))

print()
print("summary: %d module file(s); full output: %d compared, %d identical, %d differing, %d differing line(s)%s"
      % (len(all_files), n_mod, n_same, n_diff, only_mi + only_lkm,
         ", %d unreadable by both" % n_unreadable if n_unreadable else ""))
for field, n, same, diff, dl in summary:
    if n is None:
        print("  -F %-14s: not splittable per module, %d differing line(s)" % (field, dl))
    else:
        print("  -F %-14s: %d compared, %d identical, %d differing, %d differing line(s)" % (field, n, same, diff, dl))
print("comparison (python3): %.1f s" % (time.monotonic() - T_START))
print("result: %s" % ("FAIL (" + "; ".join(reasons) + ")" if reasons else "OK, all identical"))
sys.exit(1 if reasons else 0)
PY
exit "$rc"
