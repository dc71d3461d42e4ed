import type { ExitStatus, Program } from '../hooks/types';
import { describeError } from './errors';
import type { Logger } from './log';

/** Decides a failing program's exit status for dinit. */
export type FailureExitCode = (program: Program, status: ExitStatus) => number;

/**
 * What `decide` (the kernel's, or a plugin's replacement) says a failing program's exit status
 * is; `fallback` when it throws or gives no status an exit can carry (0 to 255): PID 1 must exit.
 */
export function failureStatus(log: Logger, decide: FailureExitCode, program: Program, status: ExitStatus, fallback: number): number {
  try {
    const code = decide(program, status);
    if (Number.isInteger(code) && code >= 0 && code <= 255) return code;
    log.error(`exit status ${String(code)} for ${program.service}/${program.stage} is not 0 to 255; using ${fallback}`);
  } catch (error) {
    log.error(`deciding the exit status failed: ${describeError(error)}; using ${fallback}`);
  }
  return fallback;
}
