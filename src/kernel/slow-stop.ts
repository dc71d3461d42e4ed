import type { Program } from '../hooks/types';
import type { Logger } from './log';

/** How often something dinit waits for during a stop is reported. */
export const SLOW_STOP_REPORT_MS = 10_000;

/** Whatever dinit can wait for during a stop: a program, a log program, a term program, a reparented process. */
export interface Waited {
  /** `<service>/<stage>`, or `<name>/<pid>` for a reparented process: the label of its other lines. */
  label: string;
  pid: number;
  /** Still there (not exited, not reaped)? */
  running(): boolean;
}

/** One reporter per process: a program reported since SIGTERM is not reported again from the stop's start. */
const reported = new WeakSet<object>();

/**
 * dinit never SIGKILLs its programs unless DINIT_STOP_TIMEOUT says so (the orchestrator
 * does, after its own timeout), so a process that does not end keeps the container up:
 * say so every 10 s, naming it, its pid and since when, so whoever reads the logs knows
 * why the stop takes long and what holds it. `key` identifies the process (one reporter each).
 */
export function reportSlowStop(log: Logger, key: object, waited: Waited, how: string): void {
  if (reported.has(key)) return;
  reported.add(key);
  const since = Date.now();
  const timer = setInterval(() => {
    if (!waited.running()) {
      clearInterval(timer);
      return;
    }
    const seconds = Math.round((Date.now() - since) / 1000);
    log.warn(`${waited.label}: PID ${waited.pid} still running ${seconds} s after ${how}, waiting`);
  }, SLOW_STOP_REPORT_MS);
  // The reaper's timer keeps PID 1 alive while anything runs; this one must not delay the exit.
  timer.unref();
}

/** A program as a Waited. */
export function waitedProgram(program: { service: string; stage: string; pid: number; state: string }): Waited {
  return { label: `${program.service}/${program.stage}`, pid: program.pid, running: () => program.state === 'running' };
}

/** Reports, while it lasts, that the stop waits for `program` (since `how`: its SIGTERM, its start…). */
export function reportWait(log: Logger, program: Program, how: string): void {
  reportSlowStop(log, program, waitedProgram(program), how);
}
