import type { ExitStatus } from '../../hooks/types';
import type { Plugin } from '../../kernel/kernel';

/** A program's own exit status as a shell reports it: its code, or 128+n when killed by signal n. */
export function ownStatus(status: ExitStatus): number {
  return status.code ?? 128 + (status.signal ?? 0);
}

/**
 * `exit-code`: with DINIT_EXIT_CODE=program (config key `exitCode`; the default in CMD mode,
 * `dinit [--] CMD`), dinit exits with the first failing program's own status (128+n when it
 * was killed by signal n) instead of Go's 3. What counts as failing, and that the first cause
 * wins, stays the kernel's: a stop begun by SIGTERM/SIGINT still exits 0, a dinit error 1.
 * With `dinit` (or unset outside CMD mode) nothing changes.
 */
export const exitCode: Plugin = {
  name: 'exit-code',
  apply(kernel) {
    const policy = kernel.config.exitCode ?? (kernel.command ? 'program' : 'dinit');
    if (policy !== 'program') return;
    kernel.failureExitCode = (_program, status) => ownStatus(status);
  },
};
