#!/bin/sh
# PID 1 of the arm64 test VM, exec'd by the image's /sbin/dinit-vm-init (scripts/arm64-vm.sh)
# once /proc and the project share (/project) are mounted: mounts the other shares, copies the
# checkout into RAM, runs /results/cmd, writes its exit status to /results/rc and powers off. Whatever happens, it powers off: qemu runs with -no-reboot.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs shm /dev/shm
mount -t tmpfs -o mode=1777 tmp /tmp
# The arm64 node_modules is mounted at a path that ends in node_modules: Node resolves a
# package's own dependencies from its real path (/opt/arm64/node_modules/cosmiconfig/… finds
# env-paths beside it), not through the checkout's link.
mkdir -p /results /opt/node /opt/arm64/node_modules /run
mount -t tmpfs -o mode=0755 run /run
mount -t 9p -o trans=virtio,version=9p2000.L results /results
for share in node:/opt/node modules:/opt/arm64/node_modules; do
  mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 "${share%%:*}" "${share#*:}"
done
hostname dinit-arm64

{
  echo "# arm64 VM: $(uname -srm), $(nproc) CPUs, node $(/opt/node/bin/node --version)"
  # A copy, not the share: tests create files in the tree and check owners and modes (StrictModes).
  mkdir -p /work/dinit
  tar -C /project --exclude=./node_modules --exclude=./.git -cf - . | tar -C /work/dinit -xf -
  ln -s /opt/arm64/node_modules /work/dinit/node_modules
  export PATH="/opt/node/bin:$PATH"
  cd /work/dinit && sh /results/cmd
  echo $? >/results/rc.tmp
} >>/results/log 2>&1
mv /results/rc.tmp /results/rc 2>/dev/null
sync
echo o >/proc/sysrq-trigger
sleep 10
