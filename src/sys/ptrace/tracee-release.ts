// Letting a tracee go: put memory and registers back, re-queue the signals held meanwhile, detach.
// Only a tracee in a stop can be detached (and our registers may still be loaded in it): one that
// is not — an error struck between resume and wait, a timeout, a stop consumed by another waiter —
// is parked again with PTRACE_INTERRUPT and released the moment it stops: within DETACH_GRACE_MS
// here, else in the background (releaseLater), since a tracee in vfork or D state stops only when
// it leaves that state. Until then it runs on traced, untouched or inside our syscall.
import type { Arch, Registers } from './arch';
import { restoreExtras } from './arm64-restart';
import { DETACH_GRACE_MS, Deadline, RELEASE_FIRST_MS, RELEASE_MAX_MS, pause } from './deadline';
import { libc } from './libc';
import { writeSigmaskQuietly } from './registers';
import { traceStats } from './trace-stats';
import type { TraceeMemory } from './tracee-memory';
import type { TraceeEvent } from './wait-status';

const PTRACE_DETACH = 17;
const PTRACE_INTERRUPT = 0x4207;

/** The part of a ptrace session (tracee.ts) that letting go reads and changes. */
export interface ReleasableSession {
  readonly pid: number;
  readonly tid: number;
  readonly arch: Arch;
  readonly memory: TraceeMemory;
  readonly heldSignals: number[];
  detached: boolean;
  probed: boolean;
  gone: boolean;
  inStop: boolean;
  saved: Registers | undefined;
  regsChanged: boolean;
  sve: Buffer | undefined;
  maskToRestore: bigint | undefined;
  pollEvent(): TraceeEvent | undefined;
  getRegisters(): Registers;
  setRegisters(regs: Registers): void;
  reenterWithSignals(): Promise<void>;
}

/** Never throws, never blocks. */
export async function releaseSession(t: ReleasableSession): Promise<void> {
  if (t.detached) return;
  t.detached = true;
  if (t.probed && t.heldSignals.length > 0 && t.inStop && !t.gone) {
    try {
      await t.reenterWithSignals();
    } catch {
      // gone, or not back in a stop in time: released below (the mask is put back there)
    }
  }
  if (tryFinish(t)) return;
  libc().ptrace(PTRACE_INTERRUPT, t.tid, 0, 0);
  const grace = new Deadline(t.pid, DETACH_GRACE_MS);
  for (let attempt = 0; !grace.expired; attempt++) {
    await pause(attempt);
    if (tryFinish(t)) return;
  }
  traceStats.releasedLater++;
  releaseLater(t, RELEASE_FIRST_MS);
}

function releaseLater(t: ReleasableSession, ms: number): void {
  // Unref'd: a process dinit no longer waits for must not keep it alive; the kernel detaches
  // every tracee of an exiting tracer anyway.
  setTimeout(() => {
    if (!tryFinish(t)) releaseLater(t, Math.min(ms * 2, RELEASE_MAX_MS));
  }, ms).unref();
}

/** One attempt at letting go; true once detached or gone. */
function tryFinish(t: ReleasableSession): boolean {
  const done = attemptFinish(t);
  if (done) t.memory.close();
  return done;
}

function attemptFinish(t: ReleasableSession): boolean {
  const c = libc();
  if (t.gone) return true;
  let stopped = t.inStop;
  try {
    const ev = t.pollEvent();
    if (ev?.kind === 'exited' || ev?.kind === 'killed') return true;
    if (ev) stopped = true;
    // A signal it was about to take: re-queued below, so it is not lost by detaching.
    if (ev?.kind === 'signal' && (ev.signal >= 32 || !t.heldSignals.includes(ev.signal))) t.heldSignals.push(ev.signal);
  } catch {
    return true; // gone: pollEvent has recorded it
  }
  // Another waiter may have consumed the stop's report; register access works only in a stop.
  if (!stopped) stopped = probeStopped(t);
  if (!stopped) return false;
  if (t.maskToRestore !== undefined && writeSigmaskQuietly(t.pid, t.tid, t.maskToRestore)) t.maskToRestore = undefined;
  restoreSession(t);
  // Queued on this very thread while it is still parked: unblocked (they were delivered to it
  // moments ago), so the kernel takes them on the way out and applies its usual restart rules.
  for (const sig of t.heldSignals) c.tgkill(t.pid, t.tid, sig);
  t.heldSignals.length = 0;
  if (c.ptrace(PTRACE_DETACH, t.tid, 0, 0) === 0) return true;
  // ESRCH: SIGKILL took it out of the stop, or it was never in one; look again later.
  t.inStop = false;
  return t.gone;
}

function probeStopped(t: ReleasableSession): boolean {
  try {
    t.getRegisters();
    return true;
  } catch {
    return false;
  }
}

/** Memory, registers (and on aarch64 the SVE regset) as they were before we came. Never throws. */
export function restoreSession(t: ReleasableSession): void {
  t.memory.giveBack();
  if (t.saved && t.regsChanged) {
    try {
      const restored = t.arch.restore(t.saved, t.heldSignals.length > 0);
      if (t.arch.pc(restored) !== t.arch.pc(t.saved)) traceStats.syscallsRewound++;
      t.setRegisters(restored);
      if (t.arch.name === 'aarch64') restoreExtras(t.pid, t.tid, t.sve);
      t.regsChanged = false;
    } catch {
      // the process is going away; nothing else to do
    }
  }
}
