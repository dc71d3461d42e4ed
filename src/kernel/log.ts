import type { Logger, LogLevel } from '../hooks/payloads';
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

export type { Logger } from '../hooks/payloads';

/**
 * How one of dinit's messages becomes a line: `time` RFC 3339, `word` the level as written
 * (error, warning, info, debug, trace), `message` already escaped. The format is a policy
 * (DINIT_LOG_FORMAT): main.ts passes the one configured; the kernel only calls it.
 */
export type LogFormat = (time: string, word: string, message: string) => string;

/** Go dinit's line: `<time> dinit: <level>: <message>`. */
export const textLogFormat: LogFormat = (time, word, message) => `${time} dinit: ${word}: ${message}\n`;

export function createLogger(level: LogLevel, write: (text: string) => void, format: LogFormat = textLogFormat): Logger {
  const rank = RANK[level];
  const at =
    (min: number, word: string) =>
    (message: string): void => {
      if (rank >= min) write(format(timestamp(), word, escapeControl(message)));
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
