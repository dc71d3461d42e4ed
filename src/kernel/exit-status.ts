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

/**
 * The exit status being decided: the first cause wins (and the first error is the one reported
 * at exit), except that a failure a restart takes back (reruns.hold) is forgotten again.
 */
export class ExitRecord {
  private code: number | undefined;
  /** The program whose exit set `code`. */
  private cause: Program | undefined;
  error: Error | undefined;

  set(code: number, error?: Error): void {
    if (this.code === undefined) this.code = code;
    if (error && !this.error) this.error = error;
  }

  /** A program failed with `code` as dinit's status. */
  failed(program: Program, code: number): void {
    if (this.code === undefined) this.cause = program;
    this.set(code);
  }

  /** Its exit does not end the service after all (it is started again): the status it set is taken back. */
  forgive(program: Program): void {
    if (this.cause !== program) return;
    this.code = undefined;
    this.cause = undefined;
  }

  /** The status dinit exits with; `fallback` when nothing set one. */
  final(fallback: number): number {
    return this.code ?? fallback;
  }
}
