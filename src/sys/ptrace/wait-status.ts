// Decoding of waitpid() statuses for a ptrace tracee. Pure, so the branching is unit-testable.

export const SIGTRAP = 5;
export const PTRACE_EVENT_EXEC = 4;
export const PTRACE_EVENT_STOP = 128;

/** What a tracee stop (or its end) means to the injector. */
export type TraceeEvent =
  | { kind: 'exited'; code: number }
  | { kind: 'killed'; signal: number }
  /** PTRACE_INTERRUPT or group-stop: the tracee is parked and can be driven. */
  | { kind: 'event-stop'; signal: number }
  | { kind: 'exec' }
  /** Syscall-enter or syscall-exit stop (PTRACE_O_TRACESYSGOOD sets bit 0x80). */
  | { kind: 'syscall' }
  /** Signal-delivery-stop: the tracee is about to receive `signal`; the tracer decides. */
  | { kind: 'signal'; signal: number }
  | { kind: 'other-event'; event: number; signal: number };

export function decodeWaitStatus(status: number): TraceeEvent {
  const low = status & 0x7f;
  if (low === 0) return { kind: 'exited', code: (status >> 8) & 0xff };
  if ((status & 0xff) !== 0x7f) return { kind: 'killed', signal: low };
  const signal = (status >> 8) & 0xff;
  const event = (status >> 16) & 0xffff;
  if (event === PTRACE_EVENT_STOP) return { kind: 'event-stop', signal };
  if (event === PTRACE_EVENT_EXEC) return { kind: 'exec' };
  if (event !== 0) return { kind: 'other-event', event, signal };
  if (signal === (SIGTRAP | 0x80)) return { kind: 'syscall' };
  return { kind: 'signal', signal };
}

// siginfo_t si_code values of waitid() for a child that ended (CLD_EXITED, CLD_KILLED, CLD_DUMPED).
const CLD_EXITED = 1;
const CLD_DUMPED = 3;

/** Whether a waitid() siginfo describes an ended process (as opposed to a stop). */
export function siginfoIsExit(info: Buffer): boolean {
  const code = info.readInt32LE(8);
  return code >= CLD_EXITED && code <= CLD_DUMPED;
}

/** How a process ended, from a waitid() siginfo for which siginfoIsExit holds. */
export function decodeExitSiginfo(info: Buffer): { kind: 'exited'; code: number } | { kind: 'killed'; signal: number } {
  const status = info.readInt32LE(24);
  return info.readInt32LE(8) === CLD_EXITED ? { kind: 'exited', code: status } : { kind: 'killed', signal: status };
}

/** si_pid of a waitid() siginfo; 0 means "nothing to report" under WNOHANG. */
export function siginfoPid(info: Buffer): number {
  return info.readInt32LE(16);
}
