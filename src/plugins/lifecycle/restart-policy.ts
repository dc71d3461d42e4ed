import fs = require('node:fs');
import path = require('node:path');
import { describeError } from '../../kernel/errors';
import { excerpt } from '../../kernel/excerpt';

/** The first restart waits this long; each further one twice as long as the one before … */
export const FIRST_DELAY_MS = 1000;
/** … up to this. */
export const MAX_DELAY_MS = 30_000;
/** A `run` that stayed up this long before exiting starts the count and the delay over. */
export const RESET_AFTER_MS = 60_000;
/** Restarts allowed when the file names none. */
export const DEFAULT_RESTARTS = 5;
/** The file in a service folder that asks for restarts. */
export const RESTART_FILE = 'restart';

/** What `<svc>/restart` asks for: restart on failure only, or on any exit; at most `limit` times in a row. */
export interface RestartPolicy {
  mode: 'on-failure' | 'always';
  limit: number;
}

/** Restarts made since the last reset. */
export interface RestartCount {
  count: number;
}

/** How one `run` ended, as far as the policy cares. */
export interface RunEnd {
  /** Exited non-zero, or was killed by a signal (dinit sends none before the stop). */
  failed: boolean;
  /** Exited with 115 ("disabled itself"): never restarted. */
  disabled: boolean;
  /** How long it was up (ms). */
  upMs: number;
}

/** `on-failure`, `always 3` (surrounding white space ignored) → the policy; else why not. */
export function parseRestart(text: string): RestartPolicy | string {
  const words = text.trim().split(/\s+/);
  const [mode, count, ...rest] = words;
  const expected = 'expected "on-failure [N]" or "always [N]", N the number of restarts allowed (a whole number, default 5)';
  const shown = JSON.stringify(excerpt(text.trim()));
  if ((mode !== 'on-failure' && mode !== 'always') || rest.length > 0) return `invalid restart policy ${shown}: ${expected}`;
  if (count === undefined) return { mode, limit: DEFAULT_RESTARTS };
  const limit = /^[0-9]+$/.test(count) ? Number(count) : NaN;
  if (!Number.isSafeInteger(limit)) return `invalid restart policy ${shown}: ${expected}`;
  return { mode, limit };
}

/**
 * Reads `<dir>/restart`: undefined when there is none, the policy, or a problem as
 * `<file>: <reason>` (start-up stops on it; `dinit check` lists it).
 */
export function readRestart(dir: string): RestartPolicy | { problem: string } | undefined {
  const file = path.join(dir, RESTART_FILE);
  let text: string;
  try {
    text = readHead(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { problem: `${file}: cannot read: ${describeError(error)}` };
  }
  const policy = parseRestart(text);
  return typeof policy === 'string' ? { problem: `${file}: ${policy}` } : policy;
}

/** The policy is one short line: at most MAX_FILE bytes are read (a huge file is just invalid, not loaded). */
const MAX_FILE = 256;

function readHead(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const buffer = Buffer.alloc(MAX_FILE);
    const n = fs.readSync(fd, buffer, 0, MAX_FILE, null);
    return buffer.toString('utf8', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Whether a `run` that ended this way is started again, and after how long: 1 s, doubling up
 * to 30 s; a run that was up RESET_AFTER_MS starts the count over. Counts the restart in
 * `state`. Undefined: not restarted (the exit then stops the container as without the file).
 */
export function nextRestart(policy: RestartPolicy, state: RestartCount, end: RunEnd): { delayMs: number; count: number } | undefined {
  if (end.disabled) return undefined;
  if (policy.mode === 'on-failure' && !end.failed) return undefined;
  if (end.upMs >= RESET_AFTER_MS) state.count = 0;
  if (state.count >= policy.limit) return undefined;
  state.count++;
  const delayMs = Math.min(FIRST_DELAY_MS * 2 ** (state.count - 1), MAX_DELAY_MS);
  return { delayMs, count: state.count };
}
