/*
 * /init of the arm64 test VM's initramfs (scripts/arm64/initramfs.sh builds it, statically, in
 * the image): loads the modules in /m in name order (the virtio and ext4 drivers, numbered in
 * dependency order), mounts /dev/vda, moves it to / and execs the image's /sbin/dinit-vm-init.
 * Debian's mkinitramfs would do the same in minutes under emulation; this takes milliseconds.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void fail(const char *what) {
  perror(what);
  sync();
  reboot(RB_POWER_OFF);
}

int main(void) {
  mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
  struct dirent **names;
  int n = scandir("/m", &names, 0, alphasort);
  for (int i = 0; i < n; i++) {
    if (names[i]->d_name[0] == '.') continue;
    char path[512];
    snprintf(path, sizeof path, "/m/%s", names[i]->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) perror(path);
    if (fd >= 0) close(fd);
  }
  /* The disk appears once virtio-pci has probed it. */
  for (int i = 0; i < 1000 && access("/dev/vda", F_OK) != 0; i++) usleep(10000);
  if (mount("/dev/vda", "/root", "ext4", 0, 0) != 0) fail("mount /dev/vda");
  mount("/dev", "/root/dev", 0, MS_MOVE, 0);
  if (chdir("/root") != 0 || mount(".", "/", 0, MS_MOVE, 0) != 0 || chroot(".") != 0 || chdir("/") != 0) fail("switch root");
  execl("/sbin/dinit-vm-init", "/sbin/dinit-vm-init", (char *)0);
  fail("exec /sbin/dinit-vm-init");
  return 1;
}
