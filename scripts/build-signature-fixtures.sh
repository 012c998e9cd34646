#!/usr/bin/env bash
# Rebuild the module-signature fixtures in testdata/signatures/ with real tools:
#   keys/      openssl: RSA 2048/4096 and ECDSA P-256/P-384 keys with self-signed certificates (PEM and DER),
#              the way the kernel's certs/Makefile makes signing_key.pem (x509.genkey-like config), plus an
#              "other" RSA key that signs nothing the tests trust (for nokey).
#   modules/   testdata/linux/x86_64/lkmdemo_min.ko signed by the kernel's scripts/sign-file
#              (linux-kbuild-6.1) with each key and a spread of hashes; one blob made by `openssl cms -sign` WITH
#              signed attributes (sign-file never writes them, other signers do) and the kernel trailer appended.
#   kernel/    stand-in kernels holding built-in certificates like certs/system_certificates.S:
#              vmlinux-x86_64 (clang + ld.lld, with symbols) and its System.map (nm, as the kernel's mksysmap);
#              bzImage-{xz,gzip,zstd,lz4}: the stripped vmlinux compressed as arch/x86/boot/compressed/Makefile does
#              (size appended), behind a boot-protocol setup header assembled by nasm;
#              Image-arm64.gz: an arm64 Image (header + certificates, llvm-objcopy -O binary, gzip) and its System.map.
# New keys are generated on every run, so every file changes; tests read what is committed.
# Usage: scripts/build-signature-fixtures.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/testdata/signatures
SRC=$OUT/src
SIGN_FILE=${SIGN_FILE:-/usr/lib/linux-kbuild-6.1/scripts/sign-file}
MODULE=$ROOT/testdata/linux/x86_64/lkmdemo_min.ko
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for tool in openssl clang ld.lld llvm-objcopy nm nasm xz gzip zstd lz4 python3; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
[[ -x $SIGN_FILE ]] || { echo "missing $SIGN_FILE (Debian package linux-kbuild-6.1)" >&2; exit 1; }

mkdir -p "$OUT/keys" "$OUT/modules" "$OUT/kernel"

# ---- keys
genkey_config() { # CN
  cat <<CFG
[ req ]
default_bits = 4096
distinguished_name = req_distinguished_name
prompt = no
string_mask = utf8only
x509_extensions = myexts

[ req_distinguished_name ]
O = LkmKit
CN = $1

[ myexts ]
basicConstraints=critical,CA:FALSE
keyUsage=digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
CFG
}

make_key() { # name keyspec CN
  local name=$1 spec=$2 cn=$3
  genkey_config "$cn" > "$WORK/$name.genkey"
  case $spec in
    rsa:*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${spec#rsa:}" -out "$OUT/keys/$name.key.pem" 2>/dev/null ;;
    ec:*)  openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${spec#ec:}" -pkeyopt ec_param_enc:named_curve \
             -out "$OUT/keys/$name.key.pem" ;;
  esac
  openssl req -new -x509 -utf8 -sha256 -days 36500 -batch -config "$WORK/$name.genkey" \
    -key "$OUT/keys/$name.key.pem" -out "$OUT/keys/$name.crt.pem"
  openssl x509 -in "$OUT/keys/$name.crt.pem" -outform DER -out "$OUT/keys/$name.crt.der"
}

make_key rsa2048 rsa:2048 "LkmKit test RSA-2048"
make_key rsa4096 rsa:4096 "LkmKit test RSA-4096"
make_key ec256 ec:P-256 "LkmKit test ECDSA P-256"
make_key ec384 ec:P-384 "LkmKit test ECDSA P-384"
make_key other rsa:2048 "LkmKit test untrusted key"

# ---- modules signed by sign-file
sign() { # key hash
  local out="$OUT/modules/min.$1-$2.ko"
  cp "$MODULE" "$out"
  "$SIGN_FILE" "$2" "$OUT/keys/$1.key.pem" "$OUT/keys/$1.crt.pem" "$out"
}
sign rsa2048 sha1
sign rsa2048 sha256
sign rsa4096 sha384
sign rsa4096 sha512
sign ec256 sha256
sign ec384 sha384
sign other sha256
cp "$MODULE" "$OUT/modules/min.unsigned.ko"

# A CMS blob with signed attributes (contentType, signingTime, messageDigest...), detached, no certificates.
openssl cms -sign -binary -nocerts -outform DER -md sha256 -in "$MODULE" \
  -signer "$OUT/keys/rsa2048.crt.pem" -inkey "$OUT/keys/rsa2048.key.pem" -out "$WORK/attrs.p7s"
python3 - "$MODULE" "$WORK/attrs.p7s" "$OUT/modules/min.rsa2048-attrs.ko" <<'PY'
import struct, sys
module, blob = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
info = bytes([0, 0, 2, 0, 0, 0, 0, 0]) + struct.pack('>I', len(blob))  # struct module_signature, id_type PKCS#7
open(sys.argv[3], 'wb').write(module + blob + info + b'~Module signature appended~\n')
PY

# ---- stand-in kernels
cp "$OUT/keys/"{rsa2048,ec256,rsa4096,ec384}.crt.der "$WORK/"
(cd "$WORK" &&
  clang --target=x86_64-linux-gnu -c "$SRC/certs-x86_64.S" -o certs-x86_64.o &&
  sed 's/KERNEL_BASE/0xffffffff81000000/' "$SRC/vmlinux.lds" > x86.lds &&
  ld.lld -m elf_x86_64 -e _text -T x86.lds -o vmlinux-x86_64 certs-x86_64.o &&
  clang --target=aarch64-linux-gnu -c "$SRC/certs-arm64.S" -o certs-arm64.o &&
  sed 's/KERNEL_BASE/0xffff800008000000/' "$SRC/vmlinux.lds" > arm64.lds &&
  ld.lld -m aarch64linux -e _text -T arm64.lds -o vmlinux-arm64 certs-arm64.o)

mksysmap() { nm -n "$1" | grep -v '\( [aNUw] \)\|\(__crc_\)\|\( \$[adt]\)\|\( \.L\)'; }
cp "$WORK/vmlinux-x86_64" "$OUT/kernel/vmlinux-x86_64"
mksysmap "$WORK/vmlinux-x86_64" > "$OUT/kernel/System.map-x86_64"
llvm-objcopy --strip-all "$WORK/vmlinux-x86_64" "$WORK/vmlinux.bin"      # arch/x86/boot/compressed: objcopy -R .comment -S

size_le() { python3 -c 'import os,struct,sys; sys.stdout.buffer.write(struct.pack("<I", os.path.getsize(sys.argv[1])))' "$1"; }
for method in xz gzip zstd lz4; do
  case $method in
    xz)   xz --check=crc32 --x86 --lzma2=dict=1MiB -c "$WORK/vmlinux.bin" > "$WORK/payload" ;;
    gzip) gzip -n -9 -c "$WORK/vmlinux.bin" > "$WORK/payload" ;;
    zstd) zstd -q -19 -c "$WORK/vmlinux.bin" > "$WORK/payload" ;;
    lz4)  lz4 -q -l -9 -c "$WORK/vmlinux.bin" > "$WORK/payload" ;;
  esac
  size_le "$WORK/vmlinux.bin" >> "$WORK/payload"
  nasm -f bin -DPAYLOAD="\"$WORK/payload\"" -o "$OUT/kernel/bzImage-$method" "$SRC/bzimage.asm"
done

llvm-objcopy -O binary "$WORK/vmlinux-arm64" "$WORK/Image"
gzip -n -9 -c "$WORK/Image" > "$OUT/kernel/Image-arm64.gz"
mksysmap "$WORK/vmlinux-arm64" > "$OUT/kernel/System.map-arm64"

# ---- checks with the reference tools
openssl verify -CAfile "$OUT/keys/rsa2048.crt.pem" -partial_chain "$OUT/keys/rsa2048.crt.pem" >/dev/null
for f in "$OUT/modules/"min.*-*.ko; do
  python3 - "$f" "$WORK/blob.p7s" "$WORK/content" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
n = struct.unpack('>I', d[-32:-28])[0]
open(sys.argv[2], 'wb').write(d[-40 - n:-40]); open(sys.argv[3], 'wb').write(d[:-40 - n])
PY
  key=$(basename "$f" | sed 's/^min\.\([a-z0-9]*\)-.*/\1/')
  openssl cms -verify -binary -inform DER -in "$WORK/blob.p7s" -content "$WORK/content" \
    -certfile "$OUT/keys/$key.crt.pem" -nointern -noverify -out /dev/null 2>/dev/null ||
    { echo "openssl cms -verify rejects $f" >&2; exit 1; }
done
echo "fixtures written to $OUT"
