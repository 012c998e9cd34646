#!/usr/bin/env bash
# Builds testdata/depmod/: a small module tree (BASEDIR/lib/modules/6.1.0-lkmkit) made of copies of the committed
# kbuild fixtures under several names, directories and compressions, with modules.order, modules.builtin(.modinfo),
# depmod.d and modprobe.d configuration, a damaged module, and kernel symbol tables for -E/-F.
# Re-run after the Linux fixtures change; the tests read only what this writes.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src=$here/testdata/linux/x86_64
out=$here/testdata/depmod
krel=6.1.0-lkmkit
dir=$out/tree/lib/modules/$krel
rm -rf "$out"
mkdir -p "$dir"/kernel/drivers/demo "$dir"/kernel/lib "$dir"/kernel/extra "$dir"/kernel/excluded "$dir"/kernel/broken \
         "$dir"/updates "$dir"/build "$out"/depmod.d "$out"/modprobe.d

cp "$src/lkmdemo_core.ko" "$dir/kernel/drivers/demo/lkmdemo_core.ko"
cp "$src/lkmdemo_user.ko" "$dir/kernel/drivers/demo/lkmdemo-user.ko"         # '-' in the file name: module lkmdemo_user
cp "$src/lkmdemo_user.ko" "$dir/kernel/lib/second_user.ko"                   # same imports under another name
cp "$src/lkmdemo_min.ko"  "$dir/kernel/lib/lkmdemo_min.ko"
xz -c -0 "$src/lkmdemo_min.ko"   > "$dir/updates/lkmdemo_min.ko.xz"           # same name: depmod.d 'search updates built-in' prefers it
cp "$src/lkmdemo_core.signed.ko.zst" "$dir/kernel/extra/core_zst.ko.zst"     # re-exports lkmdemo_core's symbols: last exporter wins
cp "$src/lkmdemo_core.signed.ko.xz"  "$dir/kernel/extra/core_xz.ko.xz"
cp "$src/lkmdemo_min.ko" "$dir/kernel/excluded/hidden.ko"                    # skipped by depmod.d 'exclude excluded'
cp "$src/lkmdemo_min.ko" "$dir/build/not_a_module_dir.ko"                    # 'build' is never searched
printf 'this is not an ELF file\n' > "$dir/kernel/broken/junk.ko"           # kmod: "failed to load symbols from …"
head -c 200 "$src/lkmdemo_min.ko" > "$dir/kernel/broken/truncated.ko"

# modules.order lists only some modules: the others follow in kmod's hash order.
printf '%s\n' kernel/lib/lkmdemo_min.ko kernel/drivers/demo/lkmdemo_core.ko kernel/extra/core_xz.ko \
    kernel/drivers/demo/lkmdemo-user.ko kernel/extra/core_zst.ko > "$dir/modules.order"
printf '%s\n' kernel/crypto/crc32c_generic.ko kernel/fs/fat/vfat.ko kernel/drivers/char/mem-test.ko '  not a module line' \
    kernel/lib/zlib_inflate/zlib_inflate.ko > "$dir/modules.builtin"
printf 'crc32c_generic.alias=crypto-crc32c\0crc32c_generic.alias=crc32c\0crc32c_generic.license=GPL\0vfat.alias=fs-vfat\0mem_test.alias=devname:memtest\0mem_test.alias=char-major-1-*\0zlib_inflate.description=zlib\0' \
    > "$dir/modules.builtin.modinfo"

cat > "$out/depmod.d/lkmkit.conf" <<'CONF'
# LkmKit fixture: updates/ before the kernel's own directory; never index kernel/excluded/.
search updates built-in
exclude excluded
CONF

cat > "$out/modprobe.d/lkmkit.conf" <<'CONF'
options lkmdemo_core debug_level=2 label=fixture
options lkmdemo-user	quiet=1
alias demo-* lkmdemo_user
alias second second_user
blacklist second_user
softdep second_user pre: lkmdemo_min post: core_zst
install core_xz /bin/true
CONF

# Kernel symbol tables for -E and -F: _printk's CRC deliberately wrong, dma_buf_put left out.
symvers=/work/cache/debian/headers/usr/src/linux-headers-6.1.0-57-amd64/Module.symvers
{
    grep -wE '__fentry__|__x86_return_thunk|module_layout|param_array_ops|param_ops_bool|param_ops_charp|param_ops_int|param_ops_uint|param_ops_ulong' "$symvers"
    printf '0x12345678\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n'
} | sort -k2 > "$out/Module.symvers"
awk '{printf "ffffffff81%06x R __ksymtab_%s\n", NR * 16, $2}' "$out/Module.symvers" > "$out/System.map"

# depmod -w: a module whose .modinfo repeats an alias and has one that differs only by '-'/'_' (binutils objcopy).
extra=$here/testdata/depmod-extra
mkdir -p "$extra"
printf 'license=Dual MIT/GPL\0alias=dup-alias\0alias=dup-alias\0alias=dup_alias\0alias=pci:v00001234d00005678sv*sd*bc*sc*i*\0depends=\0retpoline=Y\0name=dup_alias\0vermagic=6.1.0-56-amd64 SMP preempt mod_unload modversions \0' \
    > "$extra/dup_alias.modinfo"
objcopy --update-section .modinfo="$extra/dup_alias.modinfo" "$src/lkmdemo_min.ko" "$extra/dup_alias.ko"
rm "$extra/dup_alias.modinfo"
echo "wrote $out and $extra"
