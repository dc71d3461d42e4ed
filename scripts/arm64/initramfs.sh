#!/usr/bin/env bash
# Builds the arm64 test VM's initramfs from its root filesystem: a static /init
# (initramfs-init.c, compiled by the image's own gcc under qemu-user) and the modules needed to
# mount an ext4 root on virtio-blk, in dependency order (from modules.dep). The 9p modules load
# later from the root filesystem, on demand.   Usage: initramfs.sh ROOTFS OUTPUT
set -euo pipefail
root=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
version=$(ls "$root/lib/modules" | head -n 1)
dep="$root/lib/modules/$version/modules.dep"

declare -A done=()
order=()
add() {   # a module's dependencies first, then the module (paths as in modules.dep)
  local path=$1 line
  [ -n "${done[$path]:-}" ] && return 0
  done[$path]=1
  line=$(grep -m1 "^$path:" "$dep") || { echo "initramfs.sh: $path not in modules.dep" >&2; exit 1; }
  local deps=(${line#*:})
  local i
  for ((i = ${#deps[@]} - 1; i >= 0; i--)); do add "${deps[$i]}"; done
  order+=("$path")
}
for name in virtio_mmio virtio_pci virtio_blk crc32c_generic libcrc32c ext4; do
  path=$(grep -m1 -o "^[^:]*/$name\.ko[^:]*" "$dep") || { echo "initramfs.sh: no module $name" >&2; exit 1; }
  add "$path"
done

work="$root/tmp/initramfs"
rm -rf "$work"
mkdir -p "$work/m" "$work/dev" "$work/root" "$work/proc"
i=10
for path in "${order[@]}"; do
  cp "$root/lib/modules/$version/$path" "$work/m/$i-${path##*/}"
  i=$((i + 1))
done
cp "$here/initramfs-init.c" "$root/tmp/initramfs-init.c"
chroot "$root" gcc -static -Os -o /tmp/initramfs/init /tmp/initramfs-init.c
chroot "$root" sh -c 'cd /tmp/initramfs && find . | cpio --quiet -o -H newc' | gzip -1 >"$out"
rm -rf "$work" "$root/tmp/initramfs-init.c"
