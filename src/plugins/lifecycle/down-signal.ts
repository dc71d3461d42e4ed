import fs = require('node:fs');
import path = require('node:path');
import { FatalError } from '../../hooks/guard';
import type { Plugin } from '../../kernel/kernel';
import { excerpt } from '../../kernel/excerpt';
import type { Problem } from '../tree/service-checks';

/** The file in a service folder naming its stop signal (s6's name for it). */
export const DOWN_SIGNAL_FILE = 'down-signal';

/**
 * Signals whose default action ignores or pauses a process: sent instead of SIGTERM they
 * would stop nothing, and the container would wait for the orchestrator's SIGKILL.
 */
const NEVER_STOPS = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

/**
 * `QUIT`, `sigquit`, `SIGQUIT`, `3` (surrounding whitespace allowed) → `SIGQUIT`; otherwise
 * `{ problem }` saying why not. KILL is accepted (s6 accepts it): the program gets no chance
 * to clean up, which is the image author's choice to make.
 */
export function parseDownSignal(text: string): { signal: NodeJS.Signals } | { problem: string } {
  const { signals } = require('node:os').constants as { signals: Record<string, number> };
  const word = text.trim();
  const quoted = `"${excerpt(text.replace(/\n$/, ''))}"`;
  const expected = 'expected one signal: a name with or without SIG (QUIT, SIGQUIT) or its number (3)';
  if (word === '' || /\s/.test(word)) return { problem: `invalid down-signal ${quoted}: ${expected}` };
  let name: string | undefined;
  if (/^\d+$/.test(word)) {
    name = Object.keys(signals).find((key) => signals[key] === Number(word) && key !== 'SIGIOT' && key !== 'SIGPOLL');
    if (name === undefined) return { problem: `invalid down-signal ${quoted}: no signal has that number here; ${expected}` };
  } else {
    const upper = word.toUpperCase();
    name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
    if (signals[name] === undefined) return { problem: `invalid down-signal ${quoted}: unknown signal name; ${expected}` };
  }
  if (NEVER_STOPS.has(name)) return { problem: `invalid down-signal ${quoted}: ${name} does not end a program by default, so the stop would wait for ever` };
  return { signal: name as NodeJS.Signals };
}

/** The stop signal a service folder names, undefined without the file, or the problem with it. */
export function readDownSignal(dir: string): { signal?: NodeJS.Signals; problem?: Problem } {
  const file = path.join(dir, DOWN_SIGNAL_FILE);
  // The common case (no file) costs one stat, no exception.
  if (!fs.existsSync(file)) return {};
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    return { problem: { path: file, reason: `cannot read: ${code ?? (error as Error).message}` } };
  }
  const parsed = parseDownSignal(text);
  return 'signal' in parsed ? { signal: parsed.signal } : { problem: { path: file, reason: parsed.problem } };
}

/**
 * `down-signal`: a service folder's `down-signal` file (e.g. `QUIT` for nginx or php-fpm,
 * which stop gracefully on it) names the signal the stop sends to `run` instead of SIGTERM
 * (followed by SIGCONT, as SIGTERM is). Read once at start-up, after the tree is loaded: a
 * bad file stops dinit before anything starts. A `terminate`/`finish` program still wins
 * (terminate-file is applied first); its fallbacks send this signal too.
 */
export const downSignal: Plugin = {
  name: 'down-signal',
  apply(kernel) {
    kernel.hooks.load.tapPromise({ name: 'down-signal', stage: 10 }, async (services) => {
      for (const spec of services) {
        if (spec.fromCommandLine) continue;
        const { signal, problem } = readDownSignal(spec.dir);
        if (problem) throw new FatalError(`${problem.path}: ${problem.reason}`);
        if (signal) spec.stopSignal = signal;
      }
      return services;
    });
  },
};
