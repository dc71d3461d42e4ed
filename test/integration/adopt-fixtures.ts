// C programs for the adopt-* tests, compiled with the machine's cc at test time (cached by content).
import { compileC } from './sys/ptrace/helpers';

/**
 * `vfork-orphan <seconds>`: forks an orphan (its parent exits at once) that prints a line, then
 * calls vfork(); the vfork child sleeps <seconds> before exec'ing `sh`, so the orphan waits in the
 * kernel (state D) all that time. Afterwards the orphan prints again and exits 5.
 * `vfork-orphan <seconds> stay`: the same without the first fork (no orphan).
 */
const VFORK_ORPHAN_C = `
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (argc < 3 && fork() != 0) return 0;
  printf("orphan before vfork\\n");
  fflush(stdout);
  pid_t c = vfork();
  if (c == 0) {
    sleep(atoi(argv[1]));
    execlp("sh", "sh", "-c", "echo from the vfork child", (char *)0);
    _exit(127);
  }
  printf("orphan after vfork\\n");
  fflush(stdout);
  int st;
  waitpid(c, &st, 0);
  return 5;
}
`;

export const vforkOrphan = (): string => compileC('vfork-orphan', VFORK_ORPHAN_C);

/**
 * `unix-flood`: an attacker. Watches /proc/net/unix for abstract names containing
 * "dinit-ptrace-" and opens non-blocking connections to each (up to 512 fds in all, kept open),
 * so as to fill the hand-over socket's backlog. Runs until killed; prints "flooded <name>" once per name.
 */
const UNIX_FLOOD_C = `
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(void) {
  char seen[64][128];
  int nseen = 0, fds = 0;
  char line[512];
  printf("watching\\n");
  fflush(stdout);
  for (;;) {
    FILE *f = fopen("/proc/net/unix", "r");
    if (!f) return 1;
    while (fgets(line, sizeof line, f)) {
      char *at = strstr(line, "@dinit-ptrace-");
      if (!at) continue;
      at[strcspn(at, "\\n ")] = 0;
      int known = 0;
      for (int i = 0; i < nseen; i++) if (!strcmp(seen[i], at + 1)) known = 1;
      struct sockaddr_un sa;
      memset(&sa, 0, sizeof sa);
      sa.sun_family = AF_UNIX;
      size_t len = strlen(at + 1);
      memcpy(sa.sun_path + 1, at + 1, len);
      for (int k = 0; k < 80 && fds < 512; k++) {
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (s < 0) break;
        if (connect(s, (struct sockaddr *)&sa, sizeof(sa.sun_family) + 1 + len) != 0) { close(s); break; }
        fds++;
      }
      if (!known && nseen < 64) {
        strcpy(seen[nseen++], at + 1);
        printf("flooded %s\\n", at + 1);
        fflush(stdout);
      }
    }
    fclose(f);
  }
}
`;

export const unixFlood = (): string => compileC('unix-flood', UNIX_FLOOD_C);
