import type { LogLevel } from './config';
import { escapeControl } from './escape';
import { timestamp } from './timestamp';

/** Go dinit's wording for how a process ended: `PID <pid> finished with status <n>` / `… with signal <n>`. */
export function finishedText(pid: number, result: { code: number | null; signal: number | null }): string {
  return result.code !== null ? `PID ${pid} finished with status ${result.code}` : `PID ${pid} finished with signal ${result.signal}`;
}

// error..debug are Go dinit's levels and carry exactly Go's lines; trace is ours, for diagnostics
// Go does not write (native backends, the status socket, the takeover), so that a debug log can
// still be compared line for line with Go's.
const RANK: Record<LogLevel, number> = { none: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

/**
 * dinit's own messages: `<time> dinit: <level>: <message>` on stderr, as Go dinit writes them.
 * Every message is escaped here (escapeControl), whoever wrote it: messages quote command
 * lines, comm, file names, plugin names and error messages, and one place cannot be forgotten
 * the way every source could. A message without control characters is written as it is (one
 * regex test, no copy). Bytes that are not UTF-8 must be escaped where they are read
 * (escapeBytes): once they are a JS string, they are already U+FFFD.
 */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** Our own diagnostics, below debug (DINIT_LOG_LEVEL=trace); Go dinit has no such lines. */
  trace(message: string): void;
  enabled(level: Exclude<LogLevel, 'none'>): boolean;
}

export function createLogger(level: LogLevel, write: (text: string) => void): Logger {
  const rank = RANK[level];
  const at =
    (min: number, word: string) =>
    (message: string): void => {
      if (rank >= min) write(`${timestamp()} dinit: ${word}: ${escapeControl(message)}\n`);
    };
  return {
    error: at(1, 'error'),
    warn: at(2, 'warning'),
    info: at(3, 'info'),
    debug: at(4, 'debug'),
    trace: at(5, 'trace'),
    enabled: (l) => rank >= RANK[l],
  };
}
