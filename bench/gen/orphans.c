/* orphans N [TIMEOUT_MS] [clone|fork]
 * Orphan storm. Creates N orphans by double fork (each intermediate child exits at
 * once, so the grandchild is reparented to PID 1 of the namespace). All orphans block
 * on one pipe; closing its write end releases them all at once. Each orphan stores
 * its exit time in shared memory right before _exit. This program then polls its
 * orphans' pids (kill(pid, 0): a zombie still exists, a reaped pid does not) until
 * none is left, and prints one JSON line:
 *   release_to_clear_ms: gate opened -> last orphan reaped by PID 1
 *   after_last_exit_ms:  last orphan's exit -> last orphan reaped (the reaper's lag)
 *   peak_zombies:        most orphans seen exited-but-not-reaped at one poll
 *   early_gone:          orphans that vanished before the gate opened (killed by the init)
 *   proc_zombies:        Z-state processes found by scanning /proc once all were reaped
 * Orphans ignore SIGTERM/SIGINT/SIGHUP so an init that terminates live orphans does not
 * end the storm early (it is reported in early_gone if it uses SIGKILL).
 * Mode "clone" (default) makes the double fork with clone(CLONE_VM): the orphans are
 * real processes (own pid, reparented to PID 1, zombies until reaped) but share this
 * program's memory, so creating 10,000 of them takes about a second even where fork()
 * costs milliseconds (as on virtual machines with slow page-table copies); each middle
 * process starts 50 orphans before it exits. Mode "fork" uses plain fork() for both
 * levels, one orphan per middle process. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int count_proc_zombies(void) {
  DIR *d = opendir("/proc");
  if (!d) return -1;
  struct dirent *e;
  int z = 0;
  char path[300], buf[512];
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (p && p[1] == ' ' && p[2] == 'Z') z++;
  }
  closedir(d);
  return z;
}

static volatile long long *g_ts;
static volatile int *g_pids;
static int g_gate[2];
static int g_null = -1;
#define STACK (16 * 1024)
static char *g_stacks;

static int orphan_fn(void *arg) {
  long i = (long)arg;
  /* Shares memory with main: only raw syscalls, no stdio, no errno checks needed. */
  syscall(SYS_close, g_gate[1]);
  syscall(SYS_dup2, g_null, 0);
  syscall(SYS_dup2, g_null, 1);
  syscall(SYS_dup2, g_null, 2);
  char ch;
  while (syscall(SYS_read, g_gate[0], &ch, 1) < 0) {}
  g_ts[i] = now();
  syscall(SYS_exit, 0);
  return 0;
}

#define BATCH 50
static int g_n;

/* The middle process of the double fork: starts up to BATCH orphans, then exits so they
 * are reparented to PID 1. */
static int middle_fn(void *arg) {
  long start = (long)arg;
  for (long i = start; i < start + BATCH && i < g_n; i++) {
    int g = clone(orphan_fn, g_stacks + (size_t)(i + 1) * STACK, CLONE_VM | SIGCHLD, (void *)i);
    g_pids[i] = g;
    if (g <= 0) break;
  }
  syscall(SYS_exit, 0);
  return 0;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000;
  long long timeout = (argc > 2 ? atoll(argv[2]) : 20000) * 1000000LL;
  volatile long long *ts = mmap(NULL, (size_t)n * sizeof(long long), PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  volatile int *pids = mmap(NULL, (size_t)n * sizeof(int), PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (ts == MAP_FAILED || pids == MAP_FAILED) { perror("mmap"); return 1; }
  int gate[2];
  if (pipe(gate) != 0) { perror("pipe"); return 1; }
  int use_clone = !(argc > 3 && strcmp(argv[3], "fork") == 0);
  g_ts = ts; g_pids = pids; g_gate[0] = gate[0]; g_gate[1] = gate[1];
  g_null = open("/dev/null", O_RDWR);
  static char middle_stack[64 * 1024];
  /* Orphans ignore these from their first instant (dispositions are inherited), so an
   * init that terminates live orphans cannot end one early. */
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  if (use_clone) {
    g_stacks = mmap(NULL, (size_t)(n + 1) * STACK, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (g_stacks == MAP_FAILED) { perror("mmap stacks"); return 1; }
  }
  long long t_start = now();
  int made = 0;
  g_n = n;
  for (int i = 0; use_clone && i < n; i += BATCH) {
    int c = clone(middle_fn, middle_stack + sizeof middle_stack, CLONE_VM | CLONE_VFORK | SIGCHLD,
                  (void *)(long)i);
    if (c < 0) { perror("clone"); break; }
    int st;
    while (waitpid(c, &st, __WALL) < 0 && errno == EINTR) {}
    int k = 0;
    while (k < BATCH && i + k < n && pids[i + k] > 0) k++;
    made += k;
    if (k < BATCH && i + k < n) break;
  }
  for (int i = 0; !use_clone && i < n; i++) {
    pid_t c = fork();
    if (c < 0) { perror("fork"); break; }
    if (c == 0) {
      pid_t g = fork();
      if (g == 0) {
        close(gate[1]);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0); dup2(null, 1); dup2(null, 2);
        if (null > 2) close(null);
        signal(SIGTERM, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        char ch;
        while (read(gate[0], &ch, 1) < 0 && errno == EINTR) {}
        ts[i] = now();
        _exit(0);
      }
      pids[i] = g;
      _exit(g > 0 ? 0 : 1);
    }
    int st;
    while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
    if (pids[i] <= 0) break;
    made++;
  }
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  long long t_made = now();
  usleep(100000);
  int *rem = malloc((size_t)made * sizeof(int));
  int nrem = 0, early = 0;
  for (int i = 0; i < made; i++) {
    if (kill(pids[i], 0) != 0 && errno == ESRCH) early++;
    else rem[nrem++] = i;
  }
  long long t_rel = now();
  close(gate[1]);
  /* Full scans (every pid left: reaped? exited?) give the zombie count but cost one
   * syscall per orphan, so they run at most every 2 ms; in between a quick poll only
   * drops reaped pids from the front of the list until it meets one still there. */
  int peak = 0, timedout = 0;
  long long polls = 0, last_full = 0;
  struct timespec pause = {0, 20000};
  while (nrem > 0) {
    long long t = now();
    if (t - last_full >= 2000000LL) {
      int z = 0;
      for (int j = 0; j < nrem;) {
        int i = rem[j];
        if (kill(pids[i], 0) != 0 && errno == ESRCH) {
          rem[j] = rem[--nrem];
          continue;
        }
        if (ts[i] != 0) z++;
        j++;
      }
      if (z > peak) peak = z;
      last_full = now();
    } else {
      while (nrem > 0 && kill(pids[rem[0]], 0) != 0 && errno == ESRCH) rem[0] = rem[--nrem];
    }
    polls++;
    if (nrem == 0) break;
    if (now() - t_rel > timeout) { timedout = 1; break; }
    nanosleep(&pause, NULL);
  }
  long long t_clear = now();
  long long last = 0;
  int exited = 0;
  for (int i = 0; i < made; i++) if (ts[i]) { exited++; if (ts[i] > last) last = ts[i]; }
  int pz = count_proc_zombies();
  printf("{\"orphans\":%d,\"made\":%d,\"create_ms\":%.3f,\"release_to_last_exit_ms\":%.3f,"
         "\"release_to_clear_ms\":%.3f,\"after_last_exit_ms\":%.3f,\"peak_zombies\":%d,"
         "\"early_gone\":%d,\"exited\":%d,\"left\":%d,\"timeout\":%d,\"polls\":%lld,\"proc_zombies\":%d}\n",
         n, made, (t_made - t_start) / 1e6, last ? (last - t_rel) / 1e6 : -1.0,
         (t_clear - t_rel) / 1e6, last ? (t_clear - last) / 1e6 : -1.0, peak, early, exited, nrem,
         timedout, polls, pz);
  fflush(stdout);
  return 0;
}
