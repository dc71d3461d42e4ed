// aarch64 only: putting a thread back into the syscall it was parked in, exactly as the kernel
// would have without us. x86_64 needs none of this: its stop shows the restart code in rax and
// the syscall in orig_rax, and arch.ts's restore() applies the kernel's rules from them.
import type { Registers } from './arch';
import type { Deadline } from './deadline';
import { libc } from './libc';
import { readSigmask, readSve, writeSigmask, writeSve, writeSyscallNumber } from './registers';
import { traceStats } from './trace-stats';

/** What these steps need of a parked Tracee. */
export interface Stepper {
  readonly pid: number;
  readonly tid: number;
  /** Resume with PTRACE_SYSCALL and wait for the next syscall stop (signals held meanwhile). */
  syscallStep(deadline: Deadline, nr: number): Promise<void>;
  getRegisters(): Registers;
}

/**
 * aarch64 rewinds pc to the `svc` and reloads x0 *before* reporting the stop of a thread whose
 * syscall is to be restarted, but which call it re-issues — the same one, or restart_syscall for
 * a -ERESTART_RESTARTBLOCK sleep (nanosleep, futex and poll timeouts) — is decided only on the
 * way out of that stop, from a restart code no register shows any more. Restoring the saved
 * registers as they are would start such a sleep over with its full timeout. So let the kernel
 * decide: resume the thread untouched, catch its `svc` at syscall entry, note the number it
 * carries and skip the call (syscall number -1). Returns the registers to restore: the saved
 * ones with that number. `moved` is called once pc is past the `svc` (they must go back then).
 * A thread that was about to make a call in user space (pc at an `svc`) takes the same path:
 * the call it was about to make is made after the takeover instead.
 */
export async function probeRestart(t: Stepper, saved: Registers, deadline: Deadline, moved: () => void): Promise<Registers> {
  traceStats.restartsProbed++;
  await t.syscallStep(deadline, Number(saved.x8)); // entry of the re-issued call
  const chosen = t.getRegisters().x8 as bigint;
  writeSyscallNumber(t.pid, t.tid, -1);
  moved();
  await t.syscallStep(deadline, Number(chosen)); // exit of the skipped call
  return { ...saved, x8: chosen };
}

/**
 * aarch64: a signal that arrived during the injection must interrupt the syscall the thread was
 * parked in, as it would have without us (EINTR from read, ppoll or nanosleep under a handler
 * without SA_RESTART). Queued at a syscall-exit stop it would run its handler first, and the
 * thread would then re-issue its call and block again. So the call is re-entered with those
 * signals pending but blocked, and they are unblocked at its syscall-entry stop: it sees them at
 * once and ends with its own restart code, to which the kernel applies its usual rules.
 * `signals` (the session's held ones) is emptied once they are queued. `host.restore` puts the saved registers back; `host.maskToRestore` records the thread's own
 * mask until it is back (undefined), so a failure on the way still gets it restored at detach.
 */
export async function reenterWithSignals(
  t: Stepper,
  signals: number[],
  nr: number,
  deadline: Deadline,
  host: { restore: () => void; maskToRestore: (mask: bigint | undefined) => void },
): Promise<void> {
  const mask = readSigmask(t.pid, t.tid);
  const held = signals.reduce((m, sig) => m | (1n << BigInt(sig - 1)), 0n);
  host.restore();
  host.maskToRestore(mask);
  writeSigmask(t.pid, t.tid, mask | held);
  for (const sig of signals) libc().tgkill(t.pid, t.tid, sig);
  traceStats.signalsReentered += signals.length;
  signals.length = 0; // queued: no longer ours to re-queue at detach
  await t.syscallStep(deadline, nr); // entry of the re-issued call
  writeSigmask(t.pid, t.tid, mask);
  host.maskToRestore(undefined);
}

/**
 * aarch64, at prepare: the SVE registers to put back (an `svc` discards their upper lanes, which
 * a thread caught in user space still uses), and whether pc is at an `svc` (probeRestart then).
 */
export function parkedState(tid: number, pc: bigint, svc: Buffer, read: (addr: bigint, len: number) => Buffer): { sve: Buffer | undefined; atSvc: boolean } {
  let atSvc = false;
  try {
    atSvc = read(pc, svc.length).equals(svc);
  } catch {
    // unreadable code: not at an svc we could probe
  }
  return { sve: readSve(tid), atSvc };
}

/** aarch64, after the general registers are back: what restoring them does not cover. */
export function restoreExtras(pid: number, tid: number, sve: Buffer | undefined): void {
  // Leaving a syscall-exit stop, the kernel would apply its restart rules to x0 as if it were our
  // call's result; the registers put back are final, so there is no call.
  writeSyscallNumber(pid, tid, -1);
  try {
    if (sve) writeSve(pid, tid, sve);
  } catch {
    // no SVE state to put back (or gone): the general registers are back all the same
  }
}
