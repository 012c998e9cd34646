#!/usr/bin/env bash
# Rebuild the Linux kernel-module test fixtures in testdata/linux/ from the
# sources in testdata/linux/src/.
#
# Toolchain paths used (all real Debian 12 "bookworm" packages, no hand-made ELF):
#   x86_64  : kbuild of the installed linux-headers-<abi>-amd64 (gcc-12, host binutils),
#             i.e. make -C /usr/src/linux-headers-<abi>-amd64 M=<builddir> modules
#   aarch64 : kbuild of linux-headers-<abi>-arm64 (arch arm64, fetched with apt-get download
#             and unpacked with dpkg-deb -x into a scratch root) with
#             ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- (gcc-12-aarch64-linux-gnu);
#   i386    : kbuild of linux-headers-<abi>-686-pae (arch i386, same procedure) with
#             ARCH=x86 CROSS_COMPILE=i686-linux-gnu- (gcc-12-i686-linux-gnu).
#   For the two foreign arches the host tools (fixdep, modpost, ...) come from the amd64
#   build of linux-kbuild-<major.minor> of the *same* Debian version as the headers (also
#   unpacked into the scratch root); Debian's modpost is a wrapper that dispatches to
#   modpost.real-{lsb,msb}-{32,64}, so it handles every target.
#   No hand-written fallback (clang + fake headers) was needed.
#
# Per module: kbuild build -> strip --strip-debug (what INSTALL_MOD_STRIP=1 does) ->
# copy.  x86_64 additionally: sign a copy of lkmdemo_core.ko with scripts/sign-file
# (sha256, test key in testdata/linux/keys/), then gzip/xz/zstd that signed copy with the
# options scripts/Makefile.modinst uses.
#
# Usage: scripts/build-linux-fixtures.sh [--new-key]
#   --new-key   regenerate the throw-away signing key/cert (otherwise the committed one is
#               reused so that rebuilds are byte-stable).
# Environment overrides:
#   LKM_WORK        scratch dir (default /tmp/lkmkit-linux-fixtures). The build dirs
#                   $LKM_WORK/build/<arch> appear in the committed Module.symvers files.
#   LKM_ABI_AMD64   e.g. 6.1.0-56 (default: the ABI linux-headers-amd64 depends on)
#   LKM_ABI_ARM64, LKM_ABI_I386
#                   default: same ABI as amd64 if the archive has it for that arch,
#                   else the newest 6.x ABI the archive offers for that arch.
# Needs root for apt-get install (only if packages are missing).
set -euo pipefail

NEW_KEY=0
for a in "$@"; do
  case "$a" in
    --new-key) NEW_KEY=1 ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) echo "unknown argument: $a" >&2; exit 2 ;;
  esac
done

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/testdata/linux
SRC=$OUT/src
KEYS=$OUT/keys
WORK=${LKM_WORK:-/tmp/lkmkit-linux-fixtures}
export LC_ALL=C TZ=UTC

log() { printf '\n=== %s\n' "$*"; }

# ---------------------------------------------------------------- host packages
need_pkgs=(make gcc-12 kmod openssl gzip xz-utils zstd binutils
           linux-headers-amd64
           gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
           gcc-i686-linux-gnu binutils-i686-linux-gnu)
missing=()
for p in "${need_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing missing packages: ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# ---------------------------------------------------------------- versions
if [[ -n ${LKM_ABI_AMD64:-} ]]; then
  ABI_AMD64=$LKM_ABI_AMD64
else
  ABI_AMD64=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 |
              grep -oE 'linux-headers-[0-9.]+-[0-9]+-amd64' | head -1 |
              sed -E 's/^linux-headers-(.*)-amd64$/\1/')
fi
HDR_AMD64=/usr/src/linux-headers-$ABI_AMD64-amd64
if [[ ! -d $HDR_AMD64 ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "linux-headers-$ABI_AMD64-amd64"
fi
KMAJMIN=$(echo "$ABI_AMD64" | cut -d. -f1,2)          # e.g. 6.1 -> linux-kbuild-6.1
echo "amd64 ABI: $ABI_AMD64 (headers $HDR_AMD64)"

mkdir -p "$WORK"/{debs,build}

# Private apt configuration per foreign architecture: does not touch dpkg's
# architecture list or the system package lists.
apt_foreign() {   # apt_foreign <debarch> <apt-get/apt-cache args...>
  local arch=$1; shift
  local d=$WORK/apt-$arch
  if [[ ! -f $d/apt.conf ]]; then
    mkdir -p "$d"/{lists/partial,cache/archives/partial,sources}
    # Debian entries of the system sources only.
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f $f ]] && grep -q 'debian' "$f" && cp "$f" "$d/sources/"
    done
    [[ -f /etc/apt/sources.list ]] && grep -E '^deb .*debian' /etc/apt/sources.list > "$d/sources/system.list" || true
    cat > "$d/apt.conf" <<EOF
APT::Architectures { "$arch"; };
Dir::State::Lists "$d/lists";
Dir::Cache "$d/cache";
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$d/sources";
EOF
  fi
  APT_CONFIG=$d/apt.conf "$@"
}

pick_abi() {      # pick_abi <debarch> <flavour> <override>
  local arch=$1 flavour=$2 override=$3 names
  if [[ -n $override ]]; then echo "$override"; return; fi
  names=$(apt_foreign "$arch" apt-cache pkgnames "linux-headers-$KMAJMIN." |
          grep -E "^linux-headers-[0-9.]+-[0-9]+-$flavour\$" |
          sed -E "s/^linux-headers-(.*)-$flavour\$/\1/" | sort -V)
  if grep -qx "$ABI_AMD64" <<<"$names"; then echo "$ABI_AMD64"; else tail -1 <<<"$names"; fi
}

# Unpack headers (+ common + amd64 kbuild of the same version) into $WORK/root-<arch>
prepare_foreign() {  # prepare_foreign <debarch> <flavour> <abi>  -> prints header dir
  local arch=$1 flavour=$2 abi=$3 root=$WORK/root-$1 ver kb
  local pkg=linux-headers-$abi-$flavour
  ver=$(apt_foreign "$arch" apt-cache show "$pkg:$arch" | awk '/^Version:/{print $2; exit}')
  [[ -n $ver ]] || { echo "no $pkg:$arch in the archive" >&2; exit 1; }
  (cd "$WORK/debs" &&
   apt_foreign "$arch" apt-get download "$pkg:$arch=$ver" "linux-headers-$abi-common=$ver" >&2)
  kb=$WORK/debs/linux-kbuild-${KMAJMIN}_${ver}_amd64.deb
  if [[ ! -f $kb ]]; then
    (cd "$WORK/debs" && apt-get download "linux-kbuild-$KMAJMIN:amd64=$ver" >&2) || true
  fi
  rm -rf "$root"; mkdir -p "$root"
  dpkg-deb -x "$WORK/debs/${pkg}_${ver}_$arch.deb" "$root"
  dpkg-deb -x "$WORK/debs/linux-headers-$abi-common_${ver}_all.deb" "$root"
  if [[ -f $kb ]]; then
    dpkg-deb -x "$kb" "$root"
  else   # fall back to the installed (newer) kbuild of the same major.minor
    echo "WARNING: linux-kbuild-$KMAJMIN $ver (amd64) unavailable, using the installed one" >&2
    mkdir -p "$root/usr/lib"; cp -a "/usr/lib/linux-kbuild-$KMAJMIN" "$root/usr/lib/"
  fi
  # The flavour Makefile includes /usr/src/linux-headers-<abi>-common/Makefile by
  # absolute path; point it into the scratch root.
  sed -i "s|^include /usr/src/|include $root/usr/src/|" "$root/usr/src/$pkg/Makefile"
  echo "$ver" > "$root/.pkgversion"
  echo "$root/usr/src/$pkg"
}

# ---------------------------------------------------------------- build helper
build_arch() {   # build_arch <outdir-name> <headers dir> <strip> <make args...>
  local name=$1 hdr=$2 strip=$3; shift 3
  local b=$WORK/build/$name o=$OUT/$name
  log "building $name against $hdr"
  rm -rf "$b"; mkdir -p "$b" "$o"
  cp "$SRC"/lkmdemo_core.c "$SRC"/lkmdemo_user.c "$SRC"/lkmdemo_min.c "$SRC"/Kbuild "$b/"
  make -C "$hdr" M="$b" "$@" modules
  rm -f "$o"/*.ko "$o"/*.ko.* "$o"/Module.symvers
  for m in lkmdemo_core lkmdemo_user lkmdemo_min; do
    "$strip" --strip-debug -o "$o/$m.ko" "$b/$m.ko"
  done
  cp "$b/Module.symvers" "$o/Module.symvers"
}

buildinfo() {    # buildinfo <outdir-name> <headers pkg> <version> <cc> <make args>
  local o=$OUT/$1
  {
    echo "headers-package: $2"
    echo "headers-version: $3"
    echo "compiler: $("$4" --version | head -1)"
    echo "make-args: $5"
    echo "strip: --strip-debug"
    echo "built-by: scripts/build-linux-fixtures.sh"
  } > "$o/BUILDINFO"
}

# ---------------------------------------------------------------- x86_64
VER_AMD64=$(dpkg-query -W -f='${Version}' "linux-headers-$ABI_AMD64-amd64")
build_arch x86_64 "$HDR_AMD64" strip
buildinfo x86_64 "linux-headers-$ABI_AMD64-amd64" "$VER_AMD64" gcc-12 ""

# signing key (test only)
mkdir -p "$KEYS"
if [[ $NEW_KEY == 1 || ! -f $KEYS/lkmkit-test-signing-key.pem || ! -f $KEYS/lkmkit-test-signing-cert.pem ]]; then
  log "generating throw-away signing key"
  cat > "$KEYS/x509.genkey" <<'EOF'
# Same shape as the kernel's certs/default_x509.genkey. TEST ONLY.
[ req ]
default_bits = 4096
distinguished_name = req_distinguished_name
prompt = no
string_mask = utf8only
x509_extensions = myexts

[ req_distinguished_name ]
O = LkmKit
CN = LkmKit test signing key
emailAddress = lkmkit-test@example.invalid

[ myexts ]
basicConstraints=critical,CA:FALSE
keyUsage=digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EOF
  # Fixed 20-byte serial (ASCII "LkmKit test sig key1", top bit clear, like Debian's).
  openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 \
    -config "$KEYS/x509.genkey" -set_serial 0x4c6b6d4b6974207465737420736967206b657931 \
    -newkey rsa:4096 -keyout "$KEYS/lkmkit-test-signing-key.pem" \
    -out "$KEYS/lkmkit-test-signing-cert.pem"
  openssl x509 -in "$KEYS/lkmkit-test-signing-cert.pem" -outform DER \
    -out "$KEYS/lkmkit-test-signing-cert.der"
fi

log "signing x86_64/lkmdemo_core.ko"
X=$OUT/x86_64
cp "$X/lkmdemo_core.ko" "$X/lkmdemo_core.signed.ko"
"$HDR_AMD64/scripts/sign-file" sha256 "$KEYS/lkmkit-test-signing-key.pem" \
  "$KEYS/lkmkit-test-signing-cert.pem" "$X/lkmdemo_core.signed.ko"

log "compressing the signed copy"
gzip -9 -n -c "$X/lkmdemo_core.signed.ko" > "$X/lkmdemo_core.signed.ko.gz"
xz --check=crc32 --lzma2=dict=1MiB -c "$X/lkmdemo_core.signed.ko" > "$X/lkmdemo_core.signed.ko.xz"
zstd -q -c "$X/lkmdemo_core.signed.ko" > "$X/lkmdemo_core.signed.ko.zst"

# ---------------------------------------------------------------- aarch64
ABI_ARM64=$(apt_foreign arm64 apt-get update >&2 || true; pick_abi arm64 arm64 "${LKM_ABI_ARM64:-}")
[[ -n $ABI_ARM64 ]] || { echo "no arm64 headers found" >&2; exit 1; }
HDR_ARM64=$(prepare_foreign arm64 arm64 "$ABI_ARM64")
build_arch aarch64 "$HDR_ARM64" aarch64-linux-gnu-strip ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
buildinfo aarch64 "linux-headers-$ABI_ARM64-arm64" "$(cat "$WORK/root-arm64/.pkgversion")" \
  aarch64-linux-gnu-gcc-12 "ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"

# ---------------------------------------------------------------- i386
ABI_I386=$(apt_foreign i386 apt-get update >&2 || true; pick_abi i386 686-pae "${LKM_ABI_I386:-}")
[[ -n $ABI_I386 ]] || { echo "no i386 686-pae headers found" >&2; exit 1; }
HDR_I386=$(prepare_foreign i386 686-pae "$ABI_I386")
build_arch i386 "$HDR_I386" i686-linux-gnu-strip ARCH=x86 CROSS_COMPILE=i686-linux-gnu-
buildinfo i386 "linux-headers-$ABI_I386-686-pae" "$(cat "$WORK/root-i386/.pkgversion")" \
  i686-linux-gnu-gcc-12 "ARCH=x86 CROSS_COMPILE=i686-linux-gnu-"

# ---------------------------------------------------------------- checks
log "checks"
fail=0
for f in "$OUT"/{x86_64,aarch64,i386}/*.ko; do
  size=$(stat -c %s "$f")
  printf '%-45s %7d bytes  %s\n' "${f#$REPO/}" "$size" "$(modinfo -F vermagic "$f")"
  if readelf -S "$f" | grep -q '\.debug_'; then echo "  ERROR: debug sections left" >&2; fail=1; fi
done
modinfo "$X/lkmdemo_core.signed.ko" | grep -q '^signer: *LkmKit test signing key' || { echo "signature not visible to modinfo" >&2; fail=1; }
cmp <(gzip -dc "$X/lkmdemo_core.signed.ko.gz") "$X/lkmdemo_core.signed.ko" || fail=1
cmp <(xz -dc "$X/lkmdemo_core.signed.ko.xz") "$X/lkmdemo_core.signed.ko" || fail=1
cmp <(zstd -qdc "$X/lkmdemo_core.signed.ko.zst") "$X/lkmdemo_core.signed.ko" || fail=1
# Debian's kmod 30 is built -ZLIB, so only the .xz/.zst copies can be fed to modinfo.
for c in xz zst; do
  [[ $(modinfo -F signer "$X/lkmdemo_core.signed.ko.$c") == "LkmKit test signing key" ]] ||
    { echo "modinfo cannot read the .$c copy" >&2; fail=1; }
done
for a in x86_64 aarch64 i386; do
  [[ $(modinfo -F depends "$OUT/$a/lkmdemo_user.ko") == lkmdemo_core ]] || { echo "$a: depends wrong" >&2; fail=1; }
done
exit $fail
