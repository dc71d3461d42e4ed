/** The native calls dinit needs beyond Node's own API. One interface, two backends. */
export interface SysCalls {
  /**
   * waitpid(pid, WNOHANG?): `{pid: 0}` while the child runs, `{pid, status}` once
   * reaped, undefined when it is not our child (ECHILD) or already gone.
   */
  waitpid(pid: number, nohang: boolean): { pid: number; status: number } | undefined;
  /**
   * waitid(P_ALL, WEXITED | WNOHANG | WNOWAIT): the pid of some child that has exited, without
   * reaping it (0 when none has). Lets the reaper find zombies in one call instead of one
   * waitpid per tracked process. With `pid`: the same for that child alone (P_PID).
   * A child in a ptrace stop (being taken over by adopt-output) is reported by waitid whatever
   * the flags; it is not an exit: -1 then ("cannot tell") for P_ALL, 0 for P_PID, so that
   * nobody reaps — and so consumes — a stop the takeover waits for.
   */
  peekExited(pid?: number): number;
  /** pipe2(O_CLOEXEC): [read end, write end]. */
  pipe(): [number, number];
  /** prctl(PR_SET_CHILD_SUBREAPER, 1): orphans of our descendants come to us. */
  setChildSubreaper(): void;
}

export type SysBackend = 'posix-node' | 'koffi';
