#!/usr/bin/env bash
# verify-tree.sh - check every module of a Linux module tree against the certificates built into its kernel image,
# and check that changed modules are rejected.
#
# Usage:
#   scripts/verify-tree.sh [--lkm CMD] [--system-map FILE] [--vmlinux FILE] [--sample N] VMLINUZ MODULE_DIR
#
#   VMLINUZ            the tree's kernel image (bzImage / arm64 Image[.gz] / vmlinux).
#   MODULE_DIR         searched recursively for *.ko, *.ko.xz, *.ko.zst, *.ko.gz.
#   --system-map FILE  the image's System.map: the certificates read through system_certificate_list must be the
#                      ones the scan of the image finds.
#   --vmlinux FILE     the same kernel's vmlinux ELF: its certificates must be the image's too.
#   --sample N         flip one byte in every N-th module (default 50): once in the ELF image, once in the
#                      signature; every flipped copy must be reported "bad". openssl cms -verify must agree on the
#                      intact and changed copies of the sample.
#   --lkm CMD          how to run lkm (default: $LKM, else the Release or Debug build).
#
# Example (Debian 12):
#   scripts/verify-tree.sh --system-map /work/cache/debian/dbg/usr/lib/debug/boot/System.map-6.1.0-57-amd64 \
#     /work/cache/debian/tree/boot/vmlinuz-6.1.0-57-amd64 /work/cache/debian/tree/lib/modules/6.1.0-57-amd64
# Exit status 0 when every check holds.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "verify-tree.sh: $*" >&2; exit 2; }
# shellcheck source=lib/lkm-command.sh
source "$REPO/scripts/lib/lkm-command.sh"

MAP="" VMLINUX="" SAMPLE=50 LKM_OPT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --lkm) LKM_OPT=$2; shift 2 ;;
    --system-map) MAP=$2; shift 2 ;;
    --vmlinux) VMLINUX=$2; shift 2 ;;
    --sample) SAMPLE=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) break ;;
  esac
done
[[ $# -eq 2 ]] || die "usage: verify-tree.sh [--lkm CMD] [--system-map FILE] [--vmlinux FILE] [--sample N] VMLINUZ MODULE_DIR"
IMAGE=$1 DIR=$2
resolve_lkm_command
command -v openssl >/dev/null || die "openssl is needed for the oracle comparison"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# 1. The certificates: scan of the image, System.map list, vmlinux.
"${LKM_CMD[@]}" verify --kernel "$IMAGE" --list-certs > "$WORK/certs.scan"
echo "certificates found by scanning $IMAGE: $(grep -c '^# subject' "$WORK/certs.scan")"
grep '^# subject' "$WORK/certs.scan" | sed 's/^/  /'
if [[ -n $MAP ]]; then
  "${LKM_CMD[@]}" verify --kernel "$IMAGE" --system-map "$MAP" --list-certs > "$WORK/certs.map"
  if cmp -s "$WORK/certs.scan" "$WORK/certs.map"; then echo "system_certificate_list (System.map): the same certificates"
  else fail "the System.map list differs from the scan"; diff "$WORK/certs.scan" "$WORK/certs.map" | head; fi
fi
if [[ -n $VMLINUX ]]; then
  "${LKM_CMD[@]}" verify --kernel "$VMLINUX" --list-certs > "$WORK/certs.vmlinux"
  if cmp -s "$WORK/certs.scan" "$WORK/certs.vmlinux"; then echo "vmlinux ($VMLINUX): the same certificates"
  else fail "the vmlinux certificates differ from the image's"; fi
fi
sed -n '/BEGIN CERT/,/END CERT/p' "$WORK/certs.scan" > "$WORK/trusted.pem"

# 2. Every module.
(cd "$DIR" && find . -type f \( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) -print0 |
  LC_ALL=C sort -z) > "$WORK/list"
total=$(tr -cd '\0' < "$WORK/list" | wc -c)
start=$(date +%s.%N)
set +e
(cd "$DIR" && xargs -0 "${LKM_CMD[@]}" verify --kernel "$IMAGE" ${MAP:+--system-map "$MAP"} --json < "$WORK/list") > "$WORK/all.jsonl"
status=$?
set -e
end=$(date +%s.%N)
ok=$(grep -c '"status":"ok"' "$WORK/all.jsonl" || true)
printf 'modules: %d, verified ok: %d, wall time %.2f s (lkm exit status %d)\n' "$total" "$ok" "$(echo "$end - $start" | bc)" "$status"
[[ $ok -eq $total && $status -eq 0 ]] || { fail "not every module verified"; grep -v '"status":"ok"' "$WORK/all.jsonl" | head; }

# 3. Changed bytes, with openssl cms -verify as the oracle (uncompressed modules only, as openssl needs the ELF).
#    The changed copies are checked by one lkm run against the certificates listed in step 1.
opensslverify() { # module elf-length sig-length -> exit status of openssl cms -verify
  head -c "$2" "$1" > "$WORK/content"
  tail -c "+$(($2 + 1))" "$1" | head -c "$3" > "$WORK/blob"
  openssl cms -verify -binary -inform DER -in "$WORK/blob" -content "$WORK/content" -certfile "$WORK/trusted.pem" \
    -nointern -noverify -out /dev/null 2>/dev/null
}
mkdir "$WORK/flipped"
sampled=0 oracle_agree=0 i=0
while IFS= read -r -d '' rel; do
  i=$((i + 1))
  [[ $((i % SAMPLE)) -eq 0 && $rel == *.ko ]] || continue
  sampled=$((sampled + 1))
  m="$DIR/$rel"
  size=$(stat -c %s "$m")
  siglen=$(tail -c 32 "$m" | head -c 4 | od -An -tu1 | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}')
  elf=$((size - 40 - siglen))
  opensslverify "$m" "$elf" "$siglen" && intact=0 || intact=1
  for where in $(( (i * 7919) % elf )) $((elf + siglen - 7)); do
    flip="$WORK/flipped/$sampled-$where-$(basename "$rel")"
    cp "$m" "$flip"
    byte=$(od -An -tu1 -j "$where" -N1 "$flip" | tr -d ' ')
    printf "$(printf '\\%03o' $((byte ^ 1)))" | dd of="$flip" bs=1 seek="$where" conv=notrunc status=none
    cmp -s "$m" "$flip" && fail "could not change byte $where of $rel"
    opensslverify "$flip" "$elf" "$siglen" && changed=0 || changed=1
    if [[ $intact -eq 0 && $changed -ne 0 ]]; then oracle_agree=$((oracle_agree + 1)); else fail "openssl: $rel intact=$intact flipped@$where=$changed"; fi
  done
done < "$WORK/list"
set +e
"${LKM_CMD[@]}" verify --cert "$WORK/trusted.pem" --json "$WORK/flipped" > "$WORK/flipped.jsonl"
set -e
flipped_bad=$(grep -c '"status":"bad"' "$WORK/flipped.jsonl" || true)
[[ $flipped_bad -eq $((sampled * 2)) ]] || { fail "not every changed copy is bad"; grep -v '"status":"bad"' "$WORK/flipped.jsonl" | head; }
echo "changed copies: $((sampled * 2)) from $sampled modules, lkm reports bad: $flipped_bad" \
  "($(grep -c 'digest mismatch' "$WORK/flipped.jsonl" || true) digest mismatch, $(grep -c 'bad signature' "$WORK/flipped.jsonl" || true) bad signature);" \
  "openssl cms -verify accepts the originals and rejects the copies: $oracle_agree/$((sampled * 2))"

if [[ $failures -eq 0 ]]; then echo "verify-tree: all checks passed"; else echo "verify-tree: $failures check(s) failed"; exit 1; fi
