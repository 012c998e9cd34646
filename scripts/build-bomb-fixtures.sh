#!/usr/bin/env bash
# Rebuilds testdata/bombs/: 2 GiB of zeros compressed by the real tools, for the decompression limit tests.
#   zeros2g.xz         xz -0 (the index declares 2 GiB)
#   zeros2g-sized.zst  zstd -19 with --stream-size (the frame header declares 2 GiB)
#   zeros2g.zst        zstd -19 from a pipe (no declared size: only the running limit stops it)
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/testdata/bombs"
mkdir -p "$out"
head -c 2G /dev/zero | nice xz -0 -T1 -c > "$out/zeros2g.xz"
head -c 2G /dev/zero | nice zstd -q -19 --stream-size=2147483648 -c > "$out/zeros2g-sized.zst"
head -c 2G /dev/zero | nice zstd -q -19 -c > "$out/zeros2g.zst"
ls -l "$out"
