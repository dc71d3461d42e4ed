/* shutbase N: physical baseline for the shutdown scenario. Starts N `sleep 1000`
 * children, waits until they have exec'd, sends each SIGTERM and waits for all of
 * them; prints {"shutdown_ns":...} (time from the first kill to the last reap). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  pid_t *pids = calloc((size_t)n, sizeof *pids);
  for (int i = 0; i < n; i++) {
    pid_t p = fork();
    if (p == 0) {
      execlp("sleep", "sleep", "1000", (char *)NULL);
      _exit(127);
    }
    pids[i] = p;
  }
  usleep(200000);
  long long t0 = now();
  for (int i = 0; i < n; i++) kill(pids[i], SIGTERM);
  for (int i = 0; i < n; i++) waitpid(pids[i], NULL, 0);
  long long t1 = now();
  printf("{\"shutdown_ns\":%lld}\n", t1 - t0);
  return 0;
}
