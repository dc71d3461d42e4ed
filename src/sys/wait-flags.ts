/**
 * waitid/waitpid flags and id types, from <sys/wait.h> and <linux/wait.h>: the same numbers on
 * x86_64 and aarch64. One place for the reaper's peek (koffi-backend) and the ptrace waits.
 */
export const P_ALL = 0;
export const P_PID = 1;
export const WNOHANG = 1;
export const WSTOPPED = 2;
export const WEXITED = 4;
export const WNOWAIT = 0x01000000;
export const __WALL = 0x40000000;
