// Time limits of a takeover, and the one way the takeover waits: poll, then yield to the event
// loop. Nothing in the takeover may block PID 1: a tracee parked in vfork() or in uninterruptible
// sleep never reaches the stop we ask for, and a blocking waitid() would freeze dinit with it.
import { TakeOverTimeoutError } from './errors';

/**
 * How long one takeover (the root and all its descendants) may take in all. A normal one takes a
 * few milliseconds; this leaves room for a machine 20x slower than usual. Not configurable by a
 * variable: the caller of takeOverOutput may pass another value (tests do).
 */
export const TAKEOVER_DEADLINE_MS = 3000;

/** Background release of a tracee we could not detach in time: first and longest poll interval. */
/** How long detach() waits, without blocking, for a tracee to stop before leaving it to the background. */
export const DETACH_GRACE_MS = 500;
export const RELEASE_FIRST_MS = 5;
export const RELEASE_MAX_MS = 200;

export class Deadline {
  private readonly end: number;
  constructor(
    readonly pid: number,
    readonly ms: number,
  ) {
    this.end = Date.now() + ms;
  }

  get expired(): boolean {
    return Date.now() >= this.end;
  }

  /** Throws TakeOverTimeoutError saying what we were waiting for. */
  fail(what: string | (() => string)): never {
    throw new TakeOverTimeoutError(this.pid, typeof what === 'string' ? what : what(), this.ms);
  }
}

/**
 * Call `probe` until it returns something other than undefined. Between tries the event loop
 * runs: setImmediate for the first tries (a ptrace stop usually lands within microseconds),
 * then short timers, so a tracee that never stops costs almost no CPU.
 */
export async function pollUntil<T>(deadline: Deadline, what: string | (() => string), probe: () => T | undefined): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = probe();
    if (value !== undefined) return value;
    if (deadline.expired) deadline.fail(what);
    await pause(attempt);
  }
}

export function pause(attempt: number): Promise<void> {
  if (attempt < 20) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => setTimeout(resolve, attempt < 100 ? 1 : 10));
}
